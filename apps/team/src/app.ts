import { serviceApp } from '@widget/common';
import { teamEnv } from './config';
import { TeamModule } from './team.module';
import { TEAM_ENTITIES } from './persistence/entities';
import { TEAM_MIGRATIONS } from './persistence/migrations';

/** The team service as the process kit runs it: alone (main.ts) or with every other app in one process (apps/server). */
export const teamApp = serviceApp({
  name: 'team',
  config: teamEnv,
  database: { entities: TEAM_ENTITIES, migrations: TEAM_MIGRATIONS },
  module: TeamModule,
});
