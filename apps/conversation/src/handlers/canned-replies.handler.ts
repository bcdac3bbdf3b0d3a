import { Controller } from '@nestjs/common';
import { Handles } from '@widget/common';
import { CannedReplyRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { CannedRepliesService } from '../domain/canned-replies.service';

type Req<K extends keyof typeof CannedReplyRpc> = RpcRequest<(typeof CannedReplyRpc)[K]>;
type Res<K extends keyof typeof CannedReplyRpc> = Promise<RpcReply<(typeof CannedReplyRpc)[K]>>;

/** Issue 21: canned replies, through the gateway's /admin/v1 routes (roles checked there). */
@Controller()
export class CannedRepliesHandler {
  constructor(private readonly replies: CannedRepliesService) {}

  @Handles(CannedReplyRpc.list)
  list(req: Req<'list'>): Res<'list'> {
    return this.replies.list(req.workspaceId, { q: req.q, cursor: req.cursor, limit: req.limit });
  }

  @Handles(CannedReplyRpc.create)
  create(req: Req<'create'>): Res<'create'> {
    return this.replies.create(req);
  }

  @Handles(CannedReplyRpc.update)
  update(req: Req<'update'>): Res<'update'> {
    return this.replies.update(req);
  }

  @Handles(CannedReplyRpc.remove)
  remove(req: Req<'remove'>): Res<'remove'> {
    return this.replies.remove(req);
  }
}
