import { Controller } from '@nestjs/common';
import { Handles } from '@widget/common';
import { RpcReply, RpcRequest, SessionRpc } from '@widget/contracts';
import { ErasuresService } from '../domain/privacy/erasures.service';
import { Persons } from '../domain/privacy/persons';
import { RetentionService } from '../domain/privacy/retention.service';

type Req<K extends keyof typeof SessionRpc> = RpcRequest<(typeof SessionRpc)[K]>;
type Res<K extends keyof typeof SessionRpc> = Promise<RpcReply<(typeof SessionRpc)[K]>>;

/** SPEC §17 subjects of the session service: finding a person, erasures, its export part, retention settings. */
@Controller()
export class PrivacyHandler {
  constructor(
    private readonly persons: Persons,
    private readonly erasures: ErasuresService,
    private readonly retention: RetentionService,
  ) {}

  @Handles(SessionRpc.resolvePerson)
  resolvePerson(req: Req<'resolvePerson'>): Res<'resolvePerson'> {
    return this.persons.resolve(req.workspaceId, req.selector);
  }

  @Handles(SessionRpc.requestErasure)
  requestErasure(req: Req<'requestErasure'>): Res<'requestErasure'> {
    return this.erasures.request(req.workspaceId, req.selector, req.audit);
  }

  @Handles(SessionRpc.getErasure)
  getErasure(req: Req<'getErasure'>): Res<'getErasure'> {
    return this.erasures.get(req.workspaceId, req.erasureId);
  }

  @Handles(SessionRpc.exportPerson)
  exportPerson(req: Req<'exportPerson'>): Res<'exportPerson'> {
    return this.persons.export(req.person);
  }

  @Handles(SessionRpc.patchWorkspace)
  patchWorkspace(req: Req<'patchWorkspace'>): Res<'patchWorkspace'> {
    return this.retention.patchWorkspace(req.workspaceId, { name: req.name, retention: req.retention }, req.audit);
  }

  @Handles(SessionRpc.retentionPolicies)
  retentionPolicies(): Res<'retentionPolicies'> {
    return this.retention.policies();
  }
}
