import { erasureLedgerMigration } from '@widget/common';
import { CreateEventsSchema1732600000000 } from './1732600000000-create-events-schema';
import { ScopeEventIdsToSession1734000000000 } from './1734000000000-scope-event-ids-to-session';
import { IndexEventsByPerson1796800000100 } from './1796800000100-index-events-by-person';

/** In order; each is reviewed code, explicit and reversible. */
export const EVENTS_MIGRATIONS = [
  CreateEventsSchema1732600000000,
  ScopeEventIdsToSession1734000000000,
  // SPEC §17: the erasures whose events part is done (counts, never data), and events found by person.
  erasureLedgerMigration('events', 1796800000000),
  IndexEventsByPerson1796800000100,
];
