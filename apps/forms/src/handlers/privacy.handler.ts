import { Controller } from '@nestjs/common';
import { Handles } from '@widget/common';
import { FormsRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { FormsPrivacyService } from '../domain/privacy.service';

type Req<K extends keyof typeof FormsRpc> = RpcRequest<(typeof FormsRpc)[K]>;
type Res<K extends keyof typeof FormsRpc> = Promise<RpcReply<(typeof FormsRpc)[K]>>;

/** SPEC §17: the session service asks for the erasure, the gateway for the export. */
@Controller()
export class PrivacyHandler {
  constructor(private readonly privacy: FormsPrivacyService) {}

  @Handles(FormsRpc.erasePerson)
  erasePerson(req: Req<'erasePerson'>): Res<'erasePerson'> {
    return this.privacy.erase(req);
  }

  @Handles(FormsRpc.exportPerson)
  exportPerson(req: Req<'exportPerson'>): Res<'exportPerson'> {
    return this.privacy.export(req);
  }
}
