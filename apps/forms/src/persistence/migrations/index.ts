import { CreateFormsSchema1732600000000 } from './1732600000000-create-forms-schema';

/** In order; each is reviewed code, explicit and reversible. */
export const FORMS_MIGRATIONS = [CreateFormsSchema1732600000000];
