import { CreateEventsSchema1732600000000 } from './1732600000000-create-events-schema';

/** In order; each is reviewed code, explicit and reversible. */
export const EVENTS_MIGRATIONS = [CreateEventsSchema1732600000000];
