import { AppError } from '@widget/common';
import type { SessionContext } from '@widget/contracts';
import { newTestService, TestService } from '@widget/testing';
import { loadConfig } from '@widget/common';
import { conversationEnv, ConversationConfig } from '../src/config';
import { ConversationModule } from '../src/conversation.module';
import { ConversationsService } from '../src/domain/conversations.service';
import { OperatorService } from '../src/domain/operator.service';
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
  const statements = jest.spyOn(svc.get(SendBatchRepository), 'appendMessages');
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
  const statements = jest.spyOn(svc.get(SendBatchRepository), 'appendMessages');

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

describe('operator replies in the group commit', () => {
  const agent = { id: 'opr_00000000000000000000000001', name: 'Ada' };
  /** Each reply published to a conversation: its text, the conversation's unread count in it, and the unread.changed after it. */
  const repliesTo = (conversationId: string) =>
    relay.published.flatMap((r, i) => {
      const { conversation, message } = r.payload.payload as { conversation: { id: string; unreadCount: number }; message: { text: string } };
      if (r.event !== 'messageCreated' || conversation.id !== conversationId) return [];
      return [{ text: message.text, unreadCount: conversation.unreadCount, count: (relay.published[i + 1].payload.payload as { count: number }).count }];
    });
  const unreadCounts = () => relay.published.filter((r) => r.event === 'unreadChanged').map((r) => (r.payload.payload as { count: number }).count);
  let operator: OperatorService;
  beforeAll(() => {
    operator = svc.get(OperatorService);
  });
  /** Visitor `n` with two conversations, the events published so far cleared, and the batch statement watched. */
  async function visitorWithTwo(n: number) {
    const visitor = session(n);
    const first = await newConversation(visitor);
    const second = await newConversation(visitor);
    relay.published.length = 0;
    return { visitor, first, second, statements: jest.spyOn(svc.get(SendBatchRepository), 'appendMessages') };
  }

  it('replies that arrive together share a transaction; each unread.changed counts the replies before it, as one transaction after another', async () => {
    const { first: conversationId, second: other, statements } = await visitorWithTwo(6);
    // Every third reply to the visitor's other conversation: a batch in flight beside one on this conversation.
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => operator.postMessage(i % 3 === 1 ? other : conversationId, `r${i}`, agent, 'agent', undefined, [], `op-${i}`)));
    expect(statements.mock.calls.length).toBeLessThan(replies.length);
    expect(replies.every((m) => m.author.type === 'agent' && m.author.name === 'Ada')).toBe(true);
    // The visitor's unread lock orders the batches of both conversations: in commit order the total grows by one per reply.
    expect(unreadCounts()).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const [row] = await svc.query(`SELECT unread_count, last_message_id FROM conversation.conversations WHERE id = $1`, [conversationId]);
    expect(row.unread_count).toBe(8);
    // messageCreated then unreadChanged per reply, in id order; the last one here is the conversation's last message.
    const created = relay.published.filter((r) => r.event === 'messageCreated').map((r) => (r.payload.payload as { message: { id: string } }).message.id);
    expect(created).toEqual([...created].sort());
    const [newest] = await svc.query(`SELECT max(id) AS id FROM conversation.messages WHERE conversation_id = $1`, [conversationId]);
    expect(row.last_message_id).toBe(newest.id);
    expect(relay.published.map((r) => r.event)).toEqual(Array.from({ length: 12 }, () => ['messageCreated', 'unreadChanged']).flat());
  });

  it('in one batch, replies to two conversations of one visitor count each other; visitor sends in it change no unread count', async () => {
    const { visitor, first, second, statements } = await visitorWithTwo(10);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 3 === 2 ? conversations.send(visitor, first, `v${i}`, `v-${i}`) : operator.postMessage(i % 2 ? first : second, `r${i}`, agent, 'agent'),
      ),
    );
    const batches = statements.mock.calls.map(([, events]) => events.filter((e) => e.event === 'unreadChanged').map((e) => (e.payload.payload as { count: number }).count));
    expect(Math.max(...batches.map((counts) => counts.length))).toBeGreaterThan(1);
    for (const counts of batches) expect(counts).toEqual(counts.map((_, i) => counts[0] + i));
    const rows = await svc.query(`SELECT unread_count FROM conversation.conversations WHERE id = ANY($1) ORDER BY id`, [[first, second]]);
    expect(rows.reduce((n, r) => n + r.unread_count, 0)).toBe(8);
    const stored = await svc.query(`SELECT author_type, count(*)::int AS n FROM conversation.messages WHERE conversation_id = ANY($1) GROUP BY 1 ORDER BY 1`, [[first, second]]);
    expect(stored).toEqual([
      { author_type: 'agent', n: 8 },
      { author_type: 'user', n: 4 },
    ]);
  });

  it('a reply sent again with its clientMessageId answers the original, in a batch with other replies to the same visitor too; the counts stay exact', async () => {
    const visitor = session(7);
    const conversationId = await newConversation(visitor);
    const original = await operator.postMessage(conversationId, 'hello', agent, 'agent', undefined, [], 'op-same');
    const elsewhere = await newConversation(session(11));
    relay.published.length = 0;
    const statements = jest.spyOn(svc.get(SendBatchRepository), 'appendMessages');
    const outcomes = await Promise.all([
      // Two batches in flight first, so the four below queue and are taken as one batch.
      operator.postMessage(elsewhere, 'busy 1', agent, 'agent'),
      operator.postMessage(elsewhere, 'busy 2', agent, 'agent'),
      operator.postMessage(conversationId, 'hello', agent, 'agent', undefined, [], 'op-same'),
      operator.postMessage(conversationId, 'next', agent, 'agent', undefined, [], 'op-next'),
      reasonOf(operator.postMessage(conversationId, 'changed', agent, 'agent', undefined, [], 'op-same')),
      reasonOf(operator.postMessage('cnv_00000000000000000000000000', 'nobody', agent, 'agent')),
    ]);
    expect(outcomes[2]).toEqual(original);
    expect((outcomes[3] as { text: string }).text).toBe('next');
    expect(outcomes.slice(4)).toEqual(['client_message_id_reused', 'unknown_conversation']);
    // The retry and the next reply were built in one batch, which counted the retry: rolled back, then one by one.
    expect(statements.mock.calls.some(([messages]) => messages.some((m) => m.text === 'hello') && messages.some((m) => m.text === 'next'))).toBe(true);
    // One reply stored here: the visitor had 1 unread (the original), and now 2, in its unread.changed and its conversation.
    expect(repliesTo(conversationId)).toEqual([{ text: 'next', unreadCount: 2, count: 2 }]);
    const [row] = await svc.query(`SELECT unread_count FROM conversation.conversations WHERE id = $1`, [conversationId]);
    expect(row.unread_count).toBe(2);
  });

  it('an identified visitor’s total spans their conversations of every session', async () => {
    const a = { ...session(8), userId: 'user-42', identityType: 'identified' as const };
    const b = { ...session(9), userId: 'user-42', identityType: 'identified' as const };
    const first = await newConversation(a);
    const second = await newConversation(b);
    relay.published.length = 0;
    for (const [i, id] of [first, second, first].entries()) await operator.postMessage(id, `u${i}`, agent, 'bot');
    expect(unreadCounts()).toEqual([1, 2, 3]);
  });
});
