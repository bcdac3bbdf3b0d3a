import { serviceApp } from '@widget/common';
import { teamEnv } from './config';
import { TeamModule } from './team.module';
import { TEAM_ENTITIES } from './persistence/entities';
import { TEAM_MIGRATIONS } from './persistence/migrations';

/** The team service as the process kit runs it: alone (main.ts) or with every other app in one process (apps/server). */
export const teamApp = serviceApp({
  name: 'team',
  config: teamEnv,
  database: (config) => ({
    url: config.DATABASE_URL,
    schema: 'team',
    entities: TEAM_ENTITIES,
    migrations: TEAM_MIGRATIONS,
    poolSize: config.DATABASE_POOL_SIZE,
  }),
  module: TeamModule,
});
