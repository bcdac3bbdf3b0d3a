import { Controller } from '@nestjs/common';
import { Handles } from '@widget/common';
import { KnowledgeRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { KnowledgePrivacyService } from '../domain/privacy.service';

type Req<K extends keyof typeof KnowledgeRpc> = RpcRequest<(typeof KnowledgeRpc)[K]>;
type Res<K extends keyof typeof KnowledgeRpc> = Promise<RpcReply<(typeof KnowledgeRpc)[K]>>;

/** SPEC §17: the session service asks for the erasure, the gateway for the export. */
@Controller()
export class PrivacyHandler {
  constructor(private readonly privacy: KnowledgePrivacyService) {}

  @Handles(KnowledgeRpc.erasePerson)
  erasePerson(req: Req<'erasePerson'>): Res<'erasePerson'> {
    return this.privacy.erase(req);
  }

  @Handles(KnowledgeRpc.exportPerson)
  exportPerson(req: Req<'exportPerson'>): Res<'exportPerson'> {
    return this.privacy.export(req);
  }
}
