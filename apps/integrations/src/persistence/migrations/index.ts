import { auditLogMigration, erasureLedgerMigration, idempotencyKeysMigration } from '@widget/common';
import { CreateIntegrationsSchema1797100000000 } from './1797100000000-create-integrations-schema';
import { Email1797200000000 } from '../../email/migrations/1797200000000-email';
import { ErasedPeople1797300000000 } from './1797300000000-erased-people';
import { DeliveryRearmed1797300000100 } from './1797300000100-delivery-rearmed';

/** In order; each is reviewed code, explicit and reversible. */
export const INTEGRATIONS_MIGRATIONS = [
  CreateIntegrationsSchema1797100000000,
  idempotencyKeysMigration('integrations', 1797100000100),
  auditLogMigration('integrations', 1797100000200),
  erasureLedgerMigration('integrations', 1797100000300),
  Email1797200000000,
  ErasedPeople1797300000000,
  DeliveryRearmed1797300000100,
];
