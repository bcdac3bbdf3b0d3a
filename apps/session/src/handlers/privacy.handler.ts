import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
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

  @MessagePattern(SessionRpc.resolvePerson.subject)
  resolvePerson(@Payload() req: Req<'resolvePerson'>): Res<'resolvePerson'> {
    return this.persons.resolve(req.workspaceId, req.selector);
  }

  @MessagePattern(SessionRpc.requestErasure.subject)
  requestErasure(@Payload() req: Req<'requestErasure'>): Res<'requestErasure'> {
    return this.erasures.request(req.workspaceId, req.selector, req.audit);
  }

  @MessagePattern(SessionRpc.getErasure.subject)
  getErasure(@Payload() req: Req<'getErasure'>): Res<'getErasure'> {
    return this.erasures.get(req.workspaceId, req.erasureId);
  }

  @MessagePattern(SessionRpc.exportPerson.subject)
  exportPerson(@Payload() req: Req<'exportPerson'>): Res<'exportPerson'> {
    return this.persons.export(req.person);
  }

  @MessagePattern(SessionRpc.patchWorkspace.subject)
  patchWorkspace(@Payload() req: Req<'patchWorkspace'>): Res<'patchWorkspace'> {
    return this.retention.patchWorkspace(req.workspaceId, { name: req.name, retention: req.retention }, req.audit);
  }

  @MessagePattern(SessionRpc.retentionPolicies.subject)
  retentionPolicies(): Res<'retentionPolicies'> {
    return this.retention.policies();
  }
}
