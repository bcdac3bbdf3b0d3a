import { Controller } from '@nestjs/common';
import { AuditLog, Handles } from '@widget/common';
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
    private readonly audit: AuditLog,
  ) {}

  @Handles(FormsRpc.list)
  async list(req: Req<'list'>): Res<'list'> {
    return { data: await this.forms.list(req.session, req.visibleFormIds), nextCursor: null };
  }

  @Handles(FormsRpc.get)
  async get(req: Req<'get'>): Res<'get'> {
    return publicView(await this.forms.visible(req.session, req.visibleFormIds, req.formId));
  }

  @Handles(FormsRpc.submit)
  submit(req: Req<'submit'>): Res<'submit'> {
    return this.submissions.submit(req);
  }

  @Handles(FormsRpc.adminCreate)
  adminCreate(req: Req<'adminCreate'>): Res<'adminCreate'> {
    return this.forms.create(req.workspaceId, req.body, req.audit, req.idempotency);
  }

  @Handles(FormsRpc.adminUpdate)
  adminUpdate(req: Req<'adminUpdate'>): Res<'adminUpdate'> {
    return this.forms.update(req.formId, req.patch, req.audit);
  }

  @Handles(FormsRpc.adminGet)
  adminGet(req: Req<'adminGet'>): Res<'adminGet'> {
    return this.forms.get(req.formId);
  }

  @Handles(FormsRpc.auditLog)
  auditLog(req: Req<'auditLog'>): Res<'auditLog'> {
    return this.audit.page(req.workspaceId, req.cursor, req.limit);
  }
}
