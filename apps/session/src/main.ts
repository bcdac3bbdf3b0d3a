import { bootstrapService } from '@widget/common';
import { loadSessionConfig } from './config';
import { SESSION_ENTITIES } from './persistence/entities';
import { SESSION_MIGRATIONS } from './persistence/migrations';
import { SessionModule } from './session.module';

void bootstrapService({
  name: 'session',
  loadConfig: loadSessionConfig,
  database: (config) => ({
    url: config.DATABASE_URL,
    schema: 'session',
    entities: SESSION_ENTITIES,
    migrations: SESSION_MIGRATIONS,
    poolSize: config.DATABASE_POOL_SIZE,
  }),
  module: SessionModule,
});
