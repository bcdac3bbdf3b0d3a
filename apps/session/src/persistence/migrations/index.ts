import { CreateSessionSchema1732500000000 } from './1732500000000-create-session-schema';

/** In order; each is reviewed code, explicit and reversible. */
export const SESSION_MIGRATIONS = [CreateSessionSchema1732500000000];
