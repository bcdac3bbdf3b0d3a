import { Controller } from '@nestjs/common';
import { Handles } from '@widget/common';
import { ConversationRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { PrivacyService } from '../privacy/privacy.service';

type Req<K extends keyof typeof ConversationRpc> = RpcRequest<(typeof ConversationRpc)[K]>;
type Res<K extends keyof typeof ConversationRpc> = Promise<RpcReply<(typeof ConversationRpc)[K]>>;

/** SPEC §17 subjects: the session service drives erasures, the gateway assembles exports. */
@Controller()
export class PrivacyHandler {
  constructor(private readonly privacy: PrivacyService) {}

  @Handles(ConversationRpc.erasePerson)
  erase(req: Req<'erasePerson'>): Res<'erasePerson'> {
    return this.privacy.erase(req);
  }

  @Handles(ConversationRpc.exportPerson)
  export(req: Req<'exportPerson'>): Res<'exportPerson'> {
    return this.privacy.export(req.person, req.cursor);
  }
}
