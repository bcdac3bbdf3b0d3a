import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CannedReplyRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { CannedRepliesService } from '../domain/canned-replies.service';

type Req<K extends keyof typeof CannedReplyRpc> = RpcRequest<(typeof CannedReplyRpc)[K]>;
type Res<K extends keyof typeof CannedReplyRpc> = Promise<RpcReply<(typeof CannedReplyRpc)[K]>>;

/** Issue 21: canned replies, through the gateway's /admin/v1 routes (roles checked there). */
@Controller()
export class CannedRepliesHandler {
  constructor(private readonly replies: CannedRepliesService) {}

  @MessagePattern(CannedReplyRpc.list.subject)
  list(@Payload() req: Req<'list'>): Res<'list'> {
    return this.replies.list(req.workspaceId, { q: req.q, cursor: req.cursor, limit: req.limit });
  }

  @MessagePattern(CannedReplyRpc.create.subject)
  create(@Payload() req: Req<'create'>): Res<'create'> {
    return this.replies.create(req);
  }

  @MessagePattern(CannedReplyRpc.update.subject)
  update(@Payload() req: Req<'update'>): Res<'update'> {
    return this.replies.update(req);
  }

  @MessagePattern(CannedReplyRpc.remove.subject)
  remove(@Payload() req: Req<'remove'>): Res<'remove'> {
    return this.replies.remove(req);
  }
}
