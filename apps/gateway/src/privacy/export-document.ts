import { NatsBus } from '@widget/common';
import { ConversationRpc, EventsRpc, ExportChunk, ExportPersonRequest, FormsRpc, IntegrationsRpc, KnowledgeRpc, PersonKeys, PrivacyPart, Rpc, SessionRpc } from '@widget/contracts';

/** Who answers each part of an export (SPEC §17), in the order the document lists them. */
const EXPORT_PARTS: [PrivacyPart, Rpc<ExportPersonRequest, ExportChunk>][] = [
  ['session', SessionRpc.exportPerson],
  ['conversation', ConversationRpc.exportPerson],
  ['knowledge', KnowledgeRpc.exportPerson],
  ['forms', FormsRpc.exportPerson],
  ['events', EventsRpc.exportPerson],
  ['integrations', IntegrationsRpc.exportPerson],
];

/**
 * The export as a stream of JSON text: `{ workspaceId, person, exportedAt,
 * parts: { <service>: [ <page>, … ] } }`, where a page is `{ <table>: rows[] }`
 * as that service gave it. Pages are fetched one at a time and written as they
 * come, so a long history never sits whole in the gateway's memory. A service
 * failing midway ends the stream early (the JSON is then incomplete: the
 * client sees a cut-off body, never a silently partial document).
 */
export async function* exportDocument(bus: NatsBus, person: PersonKeys, requestId: string): AsyncGenerator<string> {
  yield `{"workspaceId":${JSON.stringify(person.workspaceId)},"person":${JSON.stringify({ sessionIds: person.sessionIds, userIds: person.userIds })},"exportedAt":${JSON.stringify(new Date().toISOString())},"parts":{`;
  for (const [index, [part, rpc]] of EXPORT_PARTS.entries()) {
    yield `${index > 0 ? ',' : ''}${JSON.stringify(part)}:[`;
    let cursor: string | undefined;
    let first = true;
    do {
      const page = await bus.send(rpc, { person, cursor }, { requestId });
      yield `${first ? '' : ','}${JSON.stringify(page.data)}`;
      first = false;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    yield ']';
  }
  yield '}}';
}
