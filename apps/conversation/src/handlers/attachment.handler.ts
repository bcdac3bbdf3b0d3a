import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ConversationRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { AttachmentsService } from '../attachments/attachments.service';

type Req<K extends keyof typeof ConversationRpc> = RpcRequest<(typeof ConversationRpc)[K]>;
type Res<K extends keyof typeof ConversationRpc> = Promise<RpcReply<(typeof ConversationRpc)[K]>>;

/** Attachment subjects (the gateway's upload and download streams): NATS in, AttachmentsService out. */
@Controller()
export class AttachmentHandler {
  constructor(private readonly attachments: AttachmentsService) {}

  @MessagePattern(ConversationRpc.attachmentBegin.subject)
  begin(@Payload() req: Req<'attachmentBegin'>): Res<'attachmentBegin'> {
    return this.attachments.begin(req.actor, req.conversationId, req.name, req.contentType);
  }

  @MessagePattern(ConversationRpc.attachmentChunk.subject)
  chunk(@Payload() req: Req<'attachmentChunk'>): Res<'attachmentChunk'> {
    return this.attachments.chunk(req.attachmentId, req.seq, req.data);
  }

  @MessagePattern(ConversationRpc.attachmentFinish.subject)
  finish(@Payload() req: Req<'attachmentFinish'>): Res<'attachmentFinish'> {
    return this.attachments.finish(req.attachmentId, req.size, req.chunks, req.inline);
  }

  @MessagePattern(ConversationRpc.attachmentAbort.subject)
  abort(@Payload() req: Req<'attachmentAbort'>): Res<'attachmentAbort'> {
    return this.attachments.abort(req.attachmentId);
  }

  @MessagePattern(ConversationRpc.attachmentOpen.subject)
  open(@Payload() req: Req<'attachmentOpen'>): Res<'attachmentOpen'> {
    return this.attachments.open(req.actor, req.attachmentId, req.expires, req.sig);
  }

  @MessagePattern(ConversationRpc.attachmentRead.subject)
  read(@Payload() req: Req<'attachmentRead'>): Res<'attachmentRead'> {
    return this.attachments.read(req.attachmentId, req.seq);
  }
}
