import { bootstrapService } from '@widget/common';
import { loadConversationConfig } from './config';
import { ConversationModule } from './conversation.module';
import { CONVERSATION_ENTITIES } from './persistence/entities';
import { CONVERSATION_MIGRATIONS } from './persistence/migrations';

void bootstrapService({
  name: 'conversation',
  loadConfig: loadConversationConfig,
  database: (config) => ({
    url: config.DATABASE_URL,
    schema: 'conversation',
    entities: CONVERSATION_ENTITIES,
    migrations: CONVERSATION_MIGRATIONS,
    poolSize: config.DATABASE_POOL_SIZE,
  }),
  module: ConversationModule,
});
