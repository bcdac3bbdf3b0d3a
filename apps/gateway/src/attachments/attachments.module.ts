import { Module } from '@nestjs/common';
import { AttachmentTransfer } from './attachment-transfer';
import { AdminAttachmentsController, AttachmentsController } from './attachments.controller';

/** Files in conversations (SPEC §13): uploads and signed downloads, streamed to and from the conversation service. */
@Module({
  controllers: [AttachmentsController, AdminAttachmentsController],
  providers: [AttachmentTransfer],
})
export class AttachmentsGatewayModule {}
