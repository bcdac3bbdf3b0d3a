import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { auditLogProvider, erasureLedgerProvider, idempotencyProvider, Outbox, unitOfWorkProviders } from '@widget/common';
import { AttachmentRepository } from './attachments/attachment.repository';
import { AttachmentSweeper } from './attachments/attachment-sweeper';
import { AttachmentsService } from './attachments/attachments.service';
import { BlobStores } from './attachments/blob-store';
import { CannedRepliesService } from './domain/canned-replies.service';
import { ConversationsService } from './domain/conversations.service';
import { OperatorService } from './domain/operator.service';
import { SendBatcher } from './domain/send-batcher';
import { RoutingService } from './domain/routing';
import { AdminHandler } from './handlers/admin.handler';
import { AttachmentHandler } from './handlers/attachment.handler';
import { CannedRepliesHandler } from './handlers/canned-replies.handler';
import { ConversationHandler } from './handlers/conversation.handler';
import { PrivacyHandler } from './handlers/privacy.handler';
import { OutboxMetrics } from './outbox/outbox-metrics';
import { ConversationOutbox } from './outbox/outbox';
import { OutboxRelay } from './outbox/outbox-relay';
import { CannedReplyRepository } from './persistence/canned-reply.repository';
import { ConversationRepository } from './persistence/conversation.repository';
import { CONVERSATION_ENTITIES } from './persistence/entities';
import { OutboxRepository } from './persistence/outbox.repository';
import { RoutingRepository } from './persistence/routing.repository';
import { SendBatchRepository } from './persistence/send-batch.repository';
import { PrivacyRepository } from './privacy/privacy.repository';
import { PrivacyService } from './privacy/privacy.service';
import { RetentionSweeper } from './privacy/retention-sweeper';

@Module({
  imports: [TypeOrmModule.forFeature(CONVERSATION_ENTITIES)],
  controllers: [ConversationHandler, AdminHandler, AttachmentHandler, PrivacyHandler, CannedRepliesHandler],
  providers: [
    idempotencyProvider('conversation'),
    auditLogProvider('conversation'),
    erasureLedgerProvider('conversation'),
    ...unitOfWorkProviders(),
    { provide: Outbox, useExisting: ConversationOutbox },
    ConversationOutbox,
    SendBatcher,
    SendBatchRepository,
    ConversationsService,
    CannedRepliesService,
    CannedReplyRepository,
    OperatorService,
    RoutingService,
    RoutingRepository,
    ConversationRepository,
    OutboxRepository,
    OutboxRelay,
    OutboxMetrics,
    AttachmentsService,
    AttachmentRepository,
    BlobStores,
    AttachmentSweeper,
    PrivacyRepository,
    PrivacyService,
    RetentionSweeper,
  ],
})
export class ConversationModule {}
