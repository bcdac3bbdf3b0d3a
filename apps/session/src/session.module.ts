import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { auditLogProvider, idempotencyProvider } from '@widget/common';
import { IdentityVerifier } from './domain/identity-verifier';
import { TokenMaintenance } from './domain/token-maintenance';
import { SessionsService } from './domain/sessions.service';
import { WidgetsService } from './domain/widgets.service';
import { AdminHandler } from './handlers/admin.handler';
import { SessionHandler } from './handlers/session.handler';
import { SESSION_ENTITIES } from './persistence/entities';
import { SessionRepository } from './persistence/session.repository';
import { WidgetRepository } from './persistence/widget.repository';

@Module({
  imports: [TypeOrmModule.forFeature(SESSION_ENTITIES)],
  controllers: [SessionHandler, AdminHandler],
  providers: [
    idempotencyProvider('session'),
    auditLogProvider('session'),
    SessionsService,
    WidgetsService,
    IdentityVerifier,
    TokenMaintenance,
    SessionRepository,
    WidgetRepository,
  ],
})
export class SessionModule {}
