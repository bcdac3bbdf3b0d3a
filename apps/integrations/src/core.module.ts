import { Global, Module } from '@nestjs/common';
import { auditLogProvider, AuditLog, ErasureLedger, erasureLedgerProvider, IdempotencyStore, idempotencyProvider } from '@widget/common';
import { PersonData } from './domain/person-data';

/** What every feature module of this service may inject: the stores of the schema and the privacy hook (PersonData). */
@Global()
@Module({
  providers: [idempotencyProvider('integrations'), auditLogProvider('integrations'), erasureLedgerProvider('integrations'), PersonData],
  exports: [IdempotencyStore, AuditLog, ErasureLedger, PersonData],
})
export class IntegrationsCoreModule {}
