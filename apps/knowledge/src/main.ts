import { bootstrapService } from '@widget/common';
import { loadKnowledgeConfig } from './config';
import { KnowledgeModule } from './knowledge.module';
import { KNOWLEDGE_ENTITIES } from './persistence/entities';
import { KNOWLEDGE_MIGRATIONS } from './persistence/migrations';

void bootstrapService({
  name: 'knowledge',
  loadConfig: loadKnowledgeConfig,
  database: (config) => ({
    url: config.DATABASE_URL,
    schema: 'knowledge',
    entities: KNOWLEDGE_ENTITIES,
    migrations: KNOWLEDGE_MIGRATIONS,
    poolSize: config.DATABASE_POOL_SIZE,
  }),
  module: KnowledgeModule,
});
