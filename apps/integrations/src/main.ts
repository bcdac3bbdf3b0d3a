import { bootstrapService } from '@widget/common';
import { loadIntegrationsConfig } from './config';
import { IntegrationsModule } from './integrations.module';
import { INTEGRATIONS_ENTITIES } from './persistence/entities';
import { INTEGRATIONS_MIGRATIONS } from './persistence/migrations';

void bootstrapService({
  name: 'integrations',
  loadConfig: loadIntegrationsConfig,
  database: (config) => ({
    url: config.DATABASE_URL,
    schema: 'integrations',
    entities: INTEGRATIONS_ENTITIES,
    migrations: INTEGRATIONS_MIGRATIONS,
    poolSize: config.DATABASE_POOL_SIZE,
  }),
  module: IntegrationsModule,
});
