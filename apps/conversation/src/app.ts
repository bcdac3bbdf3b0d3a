import { serviceApp } from '@widget/common';
import { conversationEnv } from './config';
import { ConversationModule } from './conversation.module';
import { CONVERSATION_ENTITIES } from './persistence/entities';
import { CONVERSATION_MIGRATIONS } from './persistence/migrations';

/** The conversation service as the process kit runs it: alone (main.ts) or with every other app in one process (apps/server). */
export const conversationApp = serviceApp({
  name: 'conversation',
  config: conversationEnv,
  database: { entities: CONVERSATION_ENTITIES, migrations: CONVERSATION_MIGRATIONS },
  module: ConversationModule,
});
