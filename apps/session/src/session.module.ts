import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { auditLogProvider, erasureLedgerProvider, idempotencyProvider, unitOfWorkProviders } from '@widget/common';
import { IdentityVerifier } from './domain/identity-verifier';
import { TokenMaintenance } from './domain/token-maintenance';
import { SessionsService } from './domain/sessions.service';
import { WidgetsService } from './domain/widgets.service';
import { ErasuresService } from './domain/privacy/erasures.service';
import { Persons } from './domain/privacy/persons';
import { RetentionService } from './domain/privacy/retention.service';
import { AdminHandler } from './handlers/admin.handler';
import { PrivacyHandler } from './handlers/privacy.handler';
import { SessionHandler } from './handlers/session.handler';
import { SESSION_ENTITIES } from './persistence/entities';
import { SessionRepository } from './persistence/session.repository';
import { WidgetRepository } from './persistence/widget.repository';

@Module({
  imports: [TypeOrmModule.forFeature(SESSION_ENTITIES)],
  controllers: [SessionHandler, AdminHandler, PrivacyHandler],
  providers: [
    idempotencyProvider('session'),
    auditLogProvider('session'),
    erasureLedgerProvider('session'),
    ...unitOfWorkProviders(),
    Persons,
    ErasuresService,
    RetentionService,
    SessionsService,
    WidgetsService,
    IdentityVerifier,
    TokenMaintenance,
    SessionRepository,
    WidgetRepository,
  ],
})
export class SessionModule {}
