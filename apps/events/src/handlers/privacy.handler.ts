import { Controller } from '@nestjs/common';
import { Handles } from '@widget/common';
import { EventsRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { EventsPrivacyService } from '../domain/privacy.service';

type Req<K extends keyof typeof EventsRpc> = RpcRequest<(typeof EventsRpc)[K]>;
type Res<K extends keyof typeof EventsRpc> = Promise<RpcReply<(typeof EventsRpc)[K]>>;

/** SPEC §17: the session service asks for the erasure, the gateway for the export. */
@Controller()
export class PrivacyHandler {
  constructor(private readonly privacy: EventsPrivacyService) {}

  @Handles(EventsRpc.erasePerson)
  erasePerson(req: Req<'erasePerson'>): Res<'erasePerson'> {
    return this.privacy.erase(req);
  }

  @Handles(EventsRpc.exportPerson)
  exportPerson(req: Req<'exportPerson'>): Res<'exportPerson'> {
    return this.privacy.export(req);
  }
}
