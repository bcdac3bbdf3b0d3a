import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IntegrationsRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { IntegrationsPrivacyService } from '../domain/privacy.service';

type Req<K extends keyof typeof IntegrationsRpc> = RpcRequest<(typeof IntegrationsRpc)[K]>;
type Res<K extends keyof typeof IntegrationsRpc> = Promise<RpcReply<(typeof IntegrationsRpc)[K]>>;

/** SPEC §17: the session service asks for the erasure, the gateway for the export. */
@Controller()
export class PrivacyHandler {
  constructor(private readonly privacy: IntegrationsPrivacyService) {}

  @MessagePattern(IntegrationsRpc.erasePerson.subject)
  erasePerson(@Payload() req: Req<'erasePerson'>): Res<'erasePerson'> {
    return this.privacy.erase(req);
  }

  @MessagePattern(IntegrationsRpc.exportPerson.subject)
  exportPerson(@Payload() req: Req<'exportPerson'>): Res<'exportPerson'> {
    return this.privacy.export(req);
  }
}
