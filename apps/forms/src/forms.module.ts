import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { auditLogProvider, idempotencyProvider } from '@widget/common';
import { FormsService } from './domain/forms.service';
import { SubmissionsService } from './domain/submissions.service';
import { FormsHandler } from './handlers/forms.handler';
import { FORMS_ENTITIES } from './persistence/entities';
import { FormsRepository } from './persistence/forms.repository';

@Module({
  imports: [TypeOrmModule.forFeature(FORMS_ENTITIES)],
  controllers: [FormsHandler],
  providers: [idempotencyProvider('forms'), auditLogProvider('forms'), FormsService, SubmissionsService, FormsRepository],
})
export class FormsModule {}
