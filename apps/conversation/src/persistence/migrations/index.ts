import { auditLogMigration, erasureLedgerMigration } from '@widget/common';
import { CreateConversationSchema1732600000000 } from './1732600000000-create-conversation-schema';
import { MessageMetadata1733000000000 } from './1733000000000-message-metadata';
import { ConversationIdempotencyKeys1733200000000 } from './1733200000000-idempotency-keys';
import { Attachments1733300000000 } from './1733300000000-attachments';
import { Routing1796700000000 } from './1796700000000-routing';
import { ConversationPrivacy1796800000100 } from './1796800000100-privacy';
import { NotesCannedReplies1797000000000 } from './1797000000000-notes-canned-replies';
import { MessageChannel1797200000000 } from './1797200000000-message-channel';

/** In order; each is reviewed code, explicit and reversible. */
export const CONVERSATION_MIGRATIONS = [
  CreateConversationSchema1732600000000,
  MessageMetadata1733000000000,
  ConversationIdempotencyKeys1733200000000,
  Attachments1733300000000,
  auditLogMigration('conversation', 1796600000100),
  Routing1796700000000,
  erasureLedgerMigration('conversation', 1796800000000),
  ConversationPrivacy1796800000100,
  NotesCannedReplies1797000000000,
  MessageChannel1797200000000,
];
