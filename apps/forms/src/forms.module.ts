import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { auditLogProvider, erasureLedgerProvider, idempotencyProvider, unitOfWorkProviders } from '@widget/common';
import { FormsService } from './domain/forms.service';
import { FormsPrivacyService } from './domain/privacy.service';
import { SubmissionsService } from './domain/submissions.service';
import { FormsHandler } from './handlers/forms.handler';
import { PrivacyHandler } from './handlers/privacy.handler';
import { FORMS_ENTITIES } from './persistence/entities';
import { FormsRepository } from './persistence/forms.repository';

@Module({
  imports: [TypeOrmModule.forFeature(FORMS_ENTITIES)],
  controllers: [FormsHandler, PrivacyHandler],
  providers: [
    idempotencyProvider('forms'),
    auditLogProvider('forms'),
    erasureLedgerProvider('forms'),
    ...unitOfWorkProviders(),
    FormsService,
    SubmissionsService,
    FormsPrivacyService,
    FormsRepository,
  ],
})
export class FormsModule {}
