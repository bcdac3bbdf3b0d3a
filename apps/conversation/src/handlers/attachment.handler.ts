import { Controller } from '@nestjs/common';
import { Handles } from '@widget/common';
import { ConversationRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { AttachmentsService } from '../attachments/attachments.service';

type Req<K extends keyof typeof ConversationRpc> = RpcRequest<(typeof ConversationRpc)[K]>;
type Res<K extends keyof typeof ConversationRpc> = Promise<RpcReply<(typeof ConversationRpc)[K]>>;

/** Attachment subjects (the gateway's upload and download streams): NATS in, AttachmentsService out. */
@Controller()
export class AttachmentHandler {
  constructor(private readonly attachments: AttachmentsService) {}

  @Handles(ConversationRpc.attachmentBegin)
  begin(req: Req<'attachmentBegin'>): Res<'attachmentBegin'> {
    return this.attachments.begin(req.actor, req.conversationId, req.name, req.contentType);
  }

  @Handles(ConversationRpc.attachmentChunk)
  chunk(req: Req<'attachmentChunk'>): Res<'attachmentChunk'> {
    return this.attachments.chunk(req.attachmentId, req.seq, req.data);
  }

  @Handles(ConversationRpc.attachmentFinish)
  finish(req: Req<'attachmentFinish'>): Res<'attachmentFinish'> {
    return this.attachments.finish(req.attachmentId, req.size, req.chunks, req.inline);
  }

  @Handles(ConversationRpc.attachmentAbort)
  abort(req: Req<'attachmentAbort'>): Res<'attachmentAbort'> {
    return this.attachments.abort(req.attachmentId);
  }

  @Handles(ConversationRpc.attachmentOpen)
  open(req: Req<'attachmentOpen'>): Res<'attachmentOpen'> {
    return this.attachments.open(req.actor, req.attachmentId, req.expires, req.sig);
  }

  @Handles(ConversationRpc.attachmentRead)
  read(req: Req<'attachmentRead'>): Res<'attachmentRead'> {
    return this.attachments.read(req.attachmentId, req.seq);
  }
}
