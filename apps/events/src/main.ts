import { bootstrapService } from '@widget/common';
import { loadEventsConfig } from './config';
import { EventsModule } from './events.module';
import { EVENTS_MIGRATIONS } from './persistence/migrations';

void bootstrapService({
  name: 'events',
  loadConfig: loadEventsConfig,
  database: (config) => ({
    url: config.DATABASE_URL,
    schema: 'events',
    // Raw SQL only: the partitioned table and its id ledger have no entity.
    entities: [],
    migrations: EVENTS_MIGRATIONS,
    poolSize: config.DATABASE_POOL_SIZE,
  }),
  module: EventsModule,
});
