import { auditLogMigration, erasureLedgerMigration } from '@widget/common';
import { CreateFormsSchema1732600000000 } from './1732600000000-create-forms-schema';
import { FormsIdempotencyKeys1733200000000 } from './1733200000000-idempotency-keys';
import { IndexSubmissionsByUser1796800000100 } from './1796800000100-index-submissions-by-user';

/** In order; each is reviewed code, explicit and reversible. */
export const FORMS_MIGRATIONS = [
  CreateFormsSchema1732600000000,
  FormsIdempotencyKeys1733200000000,
  auditLogMigration('forms', 1796600000100),
  // SPEC §17: the erasures whose forms part is done (counts, never data), and submissions found by user.
  erasureLedgerMigration('forms', 1796800000000),
  IndexSubmissionsByUser1796800000100,
];
