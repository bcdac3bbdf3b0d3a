import { serviceApp } from '@widget/common';
import { eventsEnv } from './config';
import { EventsModule } from './events.module';
import { EVENTS_MIGRATIONS } from './persistence/migrations';

/** The events service as the process kit runs it: alone (main.ts) or with every other app in one process (apps/server). */
export const eventsApp = serviceApp({
  name: 'events',
  config: eventsEnv,
  // Raw SQL only: the partitioned table and its id ledger have no entity.
  database: { entities: [], migrations: EVENTS_MIGRATIONS },
  module: EventsModule,
});
