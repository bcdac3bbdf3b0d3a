import { serviceApp } from '@widget/common';
import { knowledgeEnv } from './config';
import { KnowledgeModule } from './knowledge.module';
import { KNOWLEDGE_ENTITIES } from './persistence/entities';
import { KNOWLEDGE_MIGRATIONS } from './persistence/migrations';

/** The knowledge service as the process kit runs it: alone (main.ts) or with every other app in one process (apps/server). */
export const knowledgeApp = serviceApp({
  name: 'knowledge',
  config: knowledgeEnv,
  database: { entities: KNOWLEDGE_ENTITIES, migrations: KNOWLEDGE_MIGRATIONS },
  module: KnowledgeModule,
});
