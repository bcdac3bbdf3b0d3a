import { auditLogMigration } from '@widget/common';
import { CreateFormsSchema1732600000000 } from './1732600000000-create-forms-schema';
import { FormsIdempotencyKeys1733200000000 } from './1733200000000-idempotency-keys';

/** In order; each is reviewed code, explicit and reversible. */
export const FORMS_MIGRATIONS = [CreateFormsSchema1732600000000, FormsIdempotencyKeys1733200000000, auditLogMigration('forms', 1796600000100)];
