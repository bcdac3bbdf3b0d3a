import { Module } from '@nestjs/common';
import { AdminConversationsController, WorkspaceConversationsController } from './admin-conversations.controller';
import { CannedRepliesController } from './canned-replies.controller';
import { ConversationsController } from './conversations.controller';

/** Routes served by the conversation service: the widget's conversations and the operator's inbox. */
@Module({
  controllers: [ConversationsController, WorkspaceConversationsController, AdminConversationsController, CannedRepliesController],
})
export class ConversationsGatewayModule {}
