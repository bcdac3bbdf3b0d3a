import { serviceApp } from '@widget/common';
import { sessionEnv } from './config';
import { SESSION_ENTITIES } from './persistence/entities';
import { SESSION_MIGRATIONS } from './persistence/migrations';
import { SessionModule } from './session.module';

/** The session service as the process kit runs it: alone (main.ts) or with every other app in one process (apps/server). */
export const sessionApp = serviceApp({
  name: 'session',
  config: sessionEnv,
  database: { entities: SESSION_ENTITIES, migrations: SESSION_MIGRATIONS },
  module: SessionModule,
});
