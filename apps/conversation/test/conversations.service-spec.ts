import { AppError } from '@widget/common';
import type { SessionContext } from '@widget/contracts';
import { newTestService, TestService } from '@widget/testing';
import { loadConfig } from '@widget/common';
import { conversationEnv, ConversationConfig } from '../src/config';
import { ConversationModule } from '../src/conversation.module';
import { ConversationsService } from '../src/domain/conversations.service';
import { OutboxRelay } from '../src/outbox/outbox-relay';
import { CONVERSATION_ENTITIES } from '../src/persistence/entities';
import { CONVERSATION_MIGRATIONS } from '../src/persistence/migrations';
import type { OutboxRow } from '../src/persistence/outbox.repository';
import { SendBatchRepository } from '../src/persistence/send-batch.repository';

/** The outbox relay of a service test: records what the unit of work hands it after commit; no NATS. */
class RecordingRelay {
  readonly published: OutboxRow[] = [];
  publishCommitted(rows: OutboxRow[]): void {
    this.published.push(...rows);
  }
  publishEphemeral(row: OutboxRow): void {
    this.published.push(row);
  }
}

let svc: TestService<ConversationConfig>;
let conversations: ConversationsService;
const relay = new RecordingRelay();

const session = (n: number): SessionContext => ({
  sessionId: `ses_${String(n).padStart(26, '0')}`,
  workspaceId: 'wsp_00000000000000000000000001',
  widgetId: 'wid_00000000000000000000000001',
  userId: null,
  identityType: 'anonymous',
  expiresAt: '2030-01-01T00:00:00.000Z',
});

const reasonOf = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  return err instanceof AppError ? err.reason : err === null ? 'no error' : String(err);
};

async function newConversation(visitor: SessionContext): Promise<string> {
  const { conversation } = await conversations.create({ session: visitor, body: {} } as never);
  return conversation.id;
}

beforeAll(async () => {
  svc = await newTestService({
    name: 'conversation',
    module: ConversationModule,
    database: { schema: 'conversation', entities: CONVERSATION_ENTITIES, migrations: CONVERSATION_MIGRATIONS },
    config: (env) => loadConfig(conversationEnv, env),
    overrides: [{ provide: OutboxRelay, useValue: relay }],
  });
  conversations = svc.get(ConversationsService);
});

afterAll(() => svc?.close());

beforeEach(() => {
  relay.published.length = 0;
  jest.restoreAllMocks();
});

it('a send stores the message at the clock’s time with an id of the test’s ids, and publishes its event after commit', async () => {
  const visitor = session(1);
  const conversationId = await newConversation(visitor);
  relay.published.length = 0;
  svc.clock.set('2026-03-01T10:00:00.000Z');
  const { message, created } = await conversations.send(visitor, conversationId, 'hello', 'c-1');
  expect(created).toBe(true);
  expect(message.createdAt).toBe('2026-03-01T10:00:00.000Z');
  expect(message.id).toMatch(/^msg_/);
  const rows = await svc.query(`SELECT id, text FROM conversation.messages WHERE conversation_id = $1`, [conversationId]);
  expect(rows).toEqual([{ id: message.id, text: 'hello' }]);
  const [conversation] = await svc.query(`SELECT last_message_id FROM conversation.conversations WHERE id = $1`, [conversationId]);
  expect(conversation.last_message_id).toBe(message.id);
  // One event, in the outbox table and handed to the relay once committed.
  expect(relay.published.map((r) => r.event)).toEqual(['messageCreated']);
  const outbox = await svc.query(`SELECT id FROM conversation.outbox WHERE payload->'payload'->'message'->>'id' = $1`, [message.id]);
  expect(outbox.map((r) => r.id)).toEqual([relay.published[0].id]);
});

it('a retry with the same clientMessageId answers the original and stores nothing; another text is client_message_id_reused', async () => {
  const visitor = session(2);
  const conversationId = await newConversation(visitor);
  const first = await conversations.send(visitor, conversationId, 'once', 'c-retry');
  relay.published.length = 0;
  const again = await conversations.send(visitor, conversationId, 'once', 'c-retry');
  expect(again).toEqual({ message: first.message, created: false });
  expect(relay.published).toEqual([]);
  expect(await reasonOf(conversations.send(visitor, conversationId, 'something else', 'c-retry'))).toBe('client_message_id_reused');
  const rows = await svc.query(`SELECT count(*)::int AS n FROM conversation.messages WHERE conversation_id = $1`, [conversationId]);
  expect(rows[0].n).toBe(1);
});

it('sends that arrive together share a transaction; within the conversation their ids follow commit order', async () => {
  const visitor = session(3);
  const conversationId = await newConversation(visitor);
  const statements = jest.spyOn(svc.get(SendBatchRepository), 'appendVisitorMessages');
  const texts = Array.from({ length: 20 }, (_, i) => `m${i}`);
  const sent = await Promise.all(texts.map((t) => conversations.send(visitor, conversationId, t, `c-${t}`)));
  expect(statements.mock.calls.length).toBeLessThan(texts.length);
  const rows = await svc.query(`SELECT id, text FROM conversation.messages WHERE conversation_id = $1 ORDER BY id`, [conversationId]);
  expect(rows.map((r) => r.text).sort()).toEqual([...texts].sort());
  expect(rows.map((r) => r.id).sort()).toEqual(sent.map((s) => s.message.id).sort());
  const [conversation] = await svc.query(`SELECT last_message_id FROM conversation.conversations WHERE id = $1`, [conversationId]);
  expect(conversation.last_message_id).toBe(rows[rows.length - 1].id);
  // One event per stored message, handed over commit after commit: in id order (the row locks order the batches).
  expect(relay.published.filter((r) => r.event === 'messageCreated').map((r) => (r.payload.payload as { message: { id: string } }).message.id)).toEqual(rows.map((r) => r.id));
});

it('in a batch, a refused send fails alone: another session’s conversation, a reused clientMessageId, a text PostgreSQL refuses', async () => {
  const visitor = session(4);
  const stranger = session(5);
  const mine = await newConversation(visitor);
  const theirs = await newConversation(stranger);
  await conversations.send(visitor, mine, 'original', 'c-taken');
  relay.published.length = 0;
  const statements = jest.spyOn(svc.get(SendBatchRepository), 'appendVisitorMessages');

  const outcomes = await Promise.all([
    reasonOf(conversations.send(visitor, mine, 'a', 'c-a')),
    reasonOf(conversations.send(visitor, theirs, 'not mine', 'c-x')),
    reasonOf(conversations.send(visitor, mine, 'b', 'c-b')),
    reasonOf(conversations.send(visitor, mine, 'changed', 'c-taken')),
    reasonOf(conversations.send(visitor, mine, 'c', null)),
    reasonOf(conversations.send(visitor, mine, 'nul \u0000 byte', 'c-nul')),
    reasonOf(conversations.send(visitor, mine, 'd', 'c-d')),
  ]);
  expect(outcomes).toEqual(['no error', 'unknown_conversation', 'no error', 'client_message_id_reused', 'no error', expect.any(String), 'no error']);
  expect(outcomes[5]).not.toBe('no error');
  expect(statements).toHaveBeenCalled();

  const rows = await svc.query(`SELECT text FROM conversation.messages WHERE conversation_id = ANY($1) ORDER BY id`, [[mine, theirs]]);
  expect(rows.map((r) => r.text).sort()).toEqual(['a', 'b', 'c', 'd', 'original']);
  // The failed statement rolled the batch back; its sends ran again one by one, so their order is any.
  expect(relay.published.map((r) => (r.payload.payload as { message: { text: string } }).message.text)).toEqual(rows.slice(1).map((r) => r.text));
  const outbox = await svc.query(`SELECT count(*)::int AS n FROM conversation.outbox WHERE id = ANY($1)`, [relay.published.map((r) => r.id)]);
  expect(outbox[0].n).toBe(4);
});
