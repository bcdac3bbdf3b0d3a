import { CreateConversationSchema1732600000000 } from './1732600000000-create-conversation-schema';

/** In order; each is reviewed code, explicit and reversible. */
export const CONVERSATION_MIGRATIONS = [CreateConversationSchema1732600000000];
