import { serviceApp } from '@widget/common';
import { integrationsEnv } from './config';
import { IntegrationsModule } from './integrations.module';
import { INTEGRATIONS_ENTITIES } from './persistence/entities';
import { INTEGRATIONS_MIGRATIONS } from './persistence/migrations';

/** The integrations service as the process kit runs it: alone (main.ts) or with every other app in one process (apps/server). */
export const integrationsApp = serviceApp({
  name: 'integrations',
  config: integrationsEnv,
  database: { entities: INTEGRATIONS_ENTITIES, migrations: INTEGRATIONS_MIGRATIONS },
  module: IntegrationsModule,
});
