import { CreateEventsSchema1732600000000 } from './1732600000000-create-events-schema';
import { ScopeEventIdsToSession1734000000000 } from './1734000000000-scope-event-ids-to-session';

/** In order; each is reviewed code, explicit and reversible. */
export const EVENTS_MIGRATIONS = [CreateEventsSchema1732600000000, ScopeEventIdsToSession1734000000000];
