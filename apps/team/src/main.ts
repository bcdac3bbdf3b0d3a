import { bootstrapService } from '@widget/common';
import { loadTeamConfig } from './config';
import { TeamModule } from './team.module';
import { TEAM_ENTITIES } from './persistence/entities';
import { TEAM_MIGRATIONS } from './persistence/migrations';

void bootstrapService({
  name: 'team',
  loadConfig: loadTeamConfig,
  database: (config) => ({
    url: config.DATABASE_URL,
    schema: 'team',
    entities: TEAM_ENTITIES,
    migrations: TEAM_MIGRATIONS,
    poolSize: config.DATABASE_POOL_SIZE,
  }),
  module: TeamModule,
});
