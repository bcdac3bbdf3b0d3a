import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AuditLog, IdempotencyStore } from '@widget/common';
import { FormsRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { FormsService, publicView } from '../domain/forms.service';
import { SubmissionsService } from '../domain/submissions.service';

type Req<K extends keyof typeof FormsRpc> = RpcRequest<(typeof FormsRpc)[K]>;
type Res<K extends keyof typeof FormsRpc> = Promise<RpcReply<(typeof FormsRpc)[K]>>;

/** Forms subjects: NATS in, domain service out, nothing else. */
@Controller()
export class FormsHandler {
  constructor(
    private readonly forms: FormsService,
    private readonly submissions: SubmissionsService,
    private readonly idempotency: IdempotencyStore,
    private readonly audit: AuditLog,
  ) {}

  @MessagePattern(FormsRpc.list.subject)
  async list(@Payload() req: Req<'list'>): Res<'list'> {
    return { data: await this.forms.list(req.session, req.visibleFormIds), nextCursor: null };
  }

  @MessagePattern(FormsRpc.get.subject)
  async get(@Payload() req: Req<'get'>): Res<'get'> {
    return publicView(await this.forms.visible(req.session, req.visibleFormIds, req.formId));
  }

  @MessagePattern(FormsRpc.submit.subject)
  submit(@Payload() req: Req<'submit'>): Res<'submit'> {
    return this.submissions.submit(req);
  }

  @MessagePattern(FormsRpc.adminCreate.subject)
  adminCreate(@Payload() req: Req<'adminCreate'>): Res<'adminCreate'> {
    return this.idempotency.run(req.idempotency, (m) => this.forms.create(req.workspaceId, req.body, req.audit, m));
  }

  @MessagePattern(FormsRpc.adminUpdate.subject)
  adminUpdate(@Payload() req: Req<'adminUpdate'>): Res<'adminUpdate'> {
    return this.forms.update(req.formId, req.patch, req.audit);
  }

  @MessagePattern(FormsRpc.adminGet.subject)
  adminGet(@Payload() req: Req<'adminGet'>): Res<'adminGet'> {
    return this.forms.get(req.formId);
  }

  @MessagePattern(FormsRpc.auditLog.subject)
  auditLog(@Payload() req: Req<'auditLog'>): Res<'auditLog'> {
    return this.audit.page(req.workspaceId, req.cursor, req.limit);
  }
}
