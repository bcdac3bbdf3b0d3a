import { Controller } from '@nestjs/common';
import { Handles } from '@widget/common';
import { IntegrationsRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { IntegrationsPrivacyService } from '../domain/privacy.service';

type Req<K extends keyof typeof IntegrationsRpc> = RpcRequest<(typeof IntegrationsRpc)[K]>;
type Res<K extends keyof typeof IntegrationsRpc> = Promise<RpcReply<(typeof IntegrationsRpc)[K]>>;

/** SPEC §17: the session service asks for the erasure, the gateway for the export. */
@Controller()
export class PrivacyHandler {
  constructor(private readonly privacy: IntegrationsPrivacyService) {}

  @Handles(IntegrationsRpc.erasePerson)
  erasePerson(req: Req<'erasePerson'>): Res<'erasePerson'> {
    return this.privacy.erase(req);
  }

  @Handles(IntegrationsRpc.exportPerson)
  exportPerson(req: Req<'exportPerson'>): Res<'exportPerson'> {
    return this.privacy.export(req);
  }
}
