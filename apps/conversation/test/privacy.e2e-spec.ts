import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
// eslint-disable-next-line @typescript-eslint/no-require-imports
import S3rver = require('s3rver');
import { ConversationRpc } from '@widget/contracts';
import {
  Api,
  createTestWidget,
  eraseThroughApi,
  harnessNatsEnv,
  privacyCallers,
  PrivacyCallers,
  queryDatabase,
  RunningApp,
  signIdentity,
  Stack,
  startAnonymous,
  startStack,
  TEST_ORIGIN,
  TestWidget,
  uploadFile,
} from '@widget/testing';
import { eventually } from './helpers';

/**
 * SPEC §17, the conversation service's part: erase a person (every table of the conversation schema checked by
 * SQL, attachment bytes in PostgreSQL and in S3), export a person page by page, and retention per workspace with
 * two replicas sweeping at once. The RPCs are called as the session service (erase) and the gateway (export) call
 * them, as those NATS principals, and once through the operator API; on a stack of this file's own.
 */

const prefix = process.env.NATS_SUBJECT_PREFIX ?? '';
const sql = <T = any>(stack: Stack, text: string, params: unknown[] = []) => queryDatabase<T>(stack.databaseUrl, text, params);

interface Person {
  /** A string every row the person wrote carries: message texts, file names, file contents. */
  marker: string;
  /** The site's own user id (the identity token's `sub`), for an identified person. */
  siteUserId?: string;
  keys: { workspaceId: string; sessionIds: string[]; userIds: string[] };
  conversationIds: string[];
  attachmentIds: string[];
}

/** Every table of the conversation schema, each row as JSON text (bytea as hex). */
async function dump(stack: Stack): Promise<Record<string, string[]>> {
  const tables = await sql<{ name: string }>(stack, `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'conversation' ORDER BY 1`);
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    out[name] = (await sql<{ j: string }>(stack, `SELECT row_to_json(t)::text AS j FROM conversation."${name}" t ORDER BY 1`)).map((r) => r.j);
  }
  return out;
}

/** The tables (of `dump`) where any of `needles` occurs, as text or (file bytes) as hex. */
function tablesHolding(snapshot: Record<string, string[]>, needles: string[]): string[] {
  const forms = needles.flatMap((n) => [n, Buffer.from(n).toString('hex')]);
  return Object.entries(snapshot)
    .filter(([, rows]) => rows.some((row) => forms.some((f) => row.includes(f))))
    .map(([name]) => name)
    .sort();
}

const personNeedles = (p: Person) => [p.marker, ...p.keys.sessionIds, ...p.keys.userIds, ...p.attachmentIds];

describe('privacy (SPEC §17): the conversation service erases, exports and retains', () => {
  let stack: Stack;
  let callers: PrivacyCallers;
  let admin: Api;

  beforeAll(async () => {
    stack = await startStack({
      services: ['session', 'conversation'],
      realtime: false,
      env: { NATS_SUBJECT_PREFIX: prefix, ATTACHMENT_SWEEP_INTERVAL_MS: '300', RETENTION_SWEEP_INTERVAL_MS: '400' },
    });
    callers = await privacyCallers(stack);
    admin = new Api(`${stack.baseUrl}/admin/v1`);
  }, 120_000);

  afterAll(async () => {
    await callers?.close();
    await stack?.stop();
  });

  /** The reply, or the error (an AppError) the service answered. */
  const settle = <T>(call: Promise<T>) => call.then((response) => ({ response, err: null }), (err: any) => ({ response: undefined as any, err }));
  const erase = (erasureId: string, person: Person['keys']) => settle(callers.asSession.send(ConversationRpc.erasePerson, { erasureId, person }));
  const exportPage = (person: Person['keys'], cursor?: string) => settle(callers.asGateway.send(ConversationRpc.exportPerson, { person, cursor }));

  /** A text file whose name and bytes carry the marker. */
  async function attach(widget: TestWidget, token: string, conversationId: string, marker: string, send: boolean): Promise<string> {
    const up = await uploadFile(
      `${stack.baseUrl}/widget/v1/conversations/${conversationId}/attachments`,
      { name: `${marker}-${randomUUID().slice(0, 4)}.txt`, bytes: Buffer.from(`notes of ${marker}\n`) },
      { token, origin: TEST_ORIGIN },
    );
    expect(up.status).toBe(201);
    if (send) expect((await widget.api.post(`/conversations/${conversationId}/messages`, { attachmentIds: [up.body.id] }, { token })).status).toBe(201);
    return up.body.id;
  }

  /** An operator reply under an Idempotency-Key (its stored reply holds the message) and a status change (audit log). */
  async function operatorTouches(conversationId: string, marker: string) {
    const reply = await admin.post(
      `/conversations/${conversationId}/messages`,
      { text: `agent to ${marker}`, author: { id: 'agent_1', name: 'Grace' } },
      { token: stack.adminKey, headers: { 'idempotency-key': `k-${randomUUID()}` } },
    );
    expect(reply.status).toBe(201);
    expect((await admin.patch(`/conversations/${conversationId}`, { status: 'pending' }, { token: stack.adminKey })).status).toBe(200);
  }

  /**
   * The identified visitor: an anonymous session with a conversation (message, sent file, read, operator reply),
   * merged into the user on identify; then a conversation of the identified session with a sent and an unsent file.
   */
  async function identifiedVisitor(widget: TestWidget, name: string): Promise<Person> {
    const marker = `${name}-${randomUUID()}`;
    const anon = await startAnonymous(widget);
    const first = await widget.api.post('/conversations', { message: `hello from ${marker}`, metadata: { email: `${marker}@example.com` } }, { token: anon.token });
    expect(first.status).toBe(201);
    const a1 = await attach(widget, anon.token, first.body.id, marker, true);
    await operatorTouches(first.body.id, marker);
    expect((await widget.api.post(`/conversations/${first.body.id}/read`, {}, { token: anon.token })).status).toBe(200);
    const siteUserId = `site-${marker}`;
    const identified = await widget.api.post('/sessions/identify', { token: await signIdentity(widget, { sub: siteUserId }) }, { token: anon.token });
    expect(identified.status).toBe(200);
    const token = identified.body.token;
    const second = await widget.api.post('/conversations', { message: `again ${marker}` }, { token });
    expect((await widget.api.post(`/conversations/${second.body.id}/messages`, { text: `more from ${marker}` }, { token })).status).toBe(201);
    const a2 = await attach(widget, token, second.body.id, marker, true);
    const unsent = await attach(widget, token, second.body.id, marker, false);
    return {
      marker,
      siteUserId,
      keys: { workspaceId: widget.workspaceId, sessionIds: [anon.sessionId, identified.body.session.id], userIds: [identified.body.session.user.id] },
      conversationIds: [first.body.id, second.body.id].sort(),
      attachmentIds: [a1, a2, unsent].sort(),
    };
  }

  /** The untouched visitor: anonymous, one conversation with a file and an operator reply. */
  async function anonymousVisitor(widget: TestWidget, name: string): Promise<Person> {
    const marker = `${name}-${randomUUID()}`;
    const anon = await startAnonymous(widget);
    const conv = await widget.api.post('/conversations', { message: `hi, ${marker} here` }, { token: anon.token });
    const att = await attach(widget, anon.token, conv.body.id, marker, true);
    await operatorTouches(conv.body.id, marker);
    return { marker, keys: { workspaceId: widget.workspaceId, sessionIds: [anon.sessionId], userIds: [] }, conversationIds: [conv.body.id], attachmentIds: [att] };
  }

  describe('erasure and export, attachments in PostgreSQL', () => {
    let widget: TestWidget;
    let alice: Person;
    let bob: Person;

    beforeAll(async () => {
      widget = await createTestWidget(stack, { features: { attachments: true } });
      alice = await identifiedVisitor(widget, 'alice');
      bob = await anonymousVisitor(widget, 'bob');
      // A long history, so the export takes several pages: 700 more messages in Alice's first conversation.
      await sql(
        stack,
        `INSERT INTO conversation.messages (id, conversation_id, author_type, author_id, text, created_at)
         SELECT 'msg_01' || lpad(upper(to_hex(n)), 24, '0'), $1, 'user', $2, $3::text || ' #' || n, now() FROM generate_series(1, 700) AS n`,
        [alice.conversationIds[0], alice.keys.sessionIds[0], `history of ${alice.marker}`],
      );
    }, 120_000);

    it('every table is known: each either holds visitors\' data the erasure covers, or none', async () => {
      const before = await dump(stack);
      // A new table fails here until it is weighed: docs/conversations.md, "Privacy", says what each one holds.
      expect(Object.keys(before).sort()).toEqual([
        'attachment_chunks',
        'attachment_purges',
        'attachments',
        'audit_log',
        'canned_replies',
        'conversations',
        'erasures_done',
        'idempotency_keys',
        'messages',
        'migrations',
        'outbox',
        'routing_state',
      ]);
      expect(tablesHolding(before, personNeedles(alice))).toEqual(['attachment_chunks', 'attachments', 'conversations', 'idempotency_keys', 'messages', 'outbox']);
    });

    it('exports the person page by page: their conversations, messages and attachment metadata, nobody else\'s', async () => {
      const pages: any[] = [];
      let cursor: string | undefined;
      do {
        const page = await exportPage(alice.keys, cursor);
        expect(page.err).toBeNull();
        pages.push(page.response);
        cursor = page.response.nextCursor ?? undefined;
      } while (cursor && pages.length < 20);
      expect(cursor).toBeUndefined();
      expect(pages.length).toBeGreaterThanOrEqual(2);
      for (const page of pages) {
        const rows = page.data.conversations.length + page.data.messages.length + page.data.attachments.length;
        expect(rows).toBeLessThanOrEqual(500);
      }
      const all = (table: string) => pages.flatMap((p) => p.data[table]);
      expect(all('conversations').map((c: any) => c.id)).toEqual(alice.conversationIds);
      expect(all('conversations')[0]).toMatchObject({ metadata: { email: `${alice.marker}@example.com` }, sessionId: alice.keys.sessionIds[0], userId: alice.keys.userIds[0] });
      const messages = all('messages');
      const [{ n }] = await sql(stack, `SELECT count(*)::int AS n FROM conversation.messages WHERE conversation_id = ANY($1)`, [alice.conversationIds]);
      expect(messages).toHaveLength(n);
      expect(new Set(messages.map((m: any) => m.id)).size).toBe(n);
      // By conversation, then by id, without a gap or a repeat across pages.
      const order = messages.map((m: any) => `${m.conversationId}|${m.id}`);
      expect(order).toEqual([...order].sort());
      expect(messages.map((m: any) => m.text)).toEqual(expect.arrayContaining([`hello from ${alice.marker}`, `more from ${alice.marker}`, `agent to ${alice.marker}`]));
      const attachments = all('attachments');
      expect(attachments.map((a: any) => a.id).sort()).toEqual(alice.attachmentIds);
      for (const a of attachments) {
        expect(Object.keys(a).sort()).toEqual(['contentType', 'conversationId', 'createdAt', 'id', 'messageId', 'name', 'size']);
        expect(a).toMatchObject({ contentType: 'text/plain', size: Buffer.byteLength(`notes of ${alice.marker}\n`) });
      }
      expect(JSON.stringify(pages)).not.toContain(bob.marker);
    });

    it('a foreign cursor and a malformed person are refused', async () => {
      const cursor = Buffer.from(JSON.stringify(['x', 'messages', 'conv_x', ''])).toString('base64url');
      expect((await exportPage(alice.keys, cursor)).err).toMatchObject({ code: 'validation_error', reason: 'invalid_cursor' });
      expect((await exportPage({ workspaceId: alice.keys.workspaceId } as never)).err).toMatchObject({ code: 'validation_error' });
      expect((await erase(`era_${randomUUID()}`, { ...alice.keys, sessionIds: 'x' } as never)).err).toMatchObject({ code: 'validation_error' });
    });

    it("another workspace's erasure with the same ids erases nothing", async () => {
      const other = await createTestWidget(stack);
      const before = await dump(stack);
      const reply = await erase(`era_${randomUUID()}`, { ...alice.keys, workspaceId: other.workspaceId });
      expect(reply.response).toEqual({ erased: { conversations: 0, messages: 0, attachments: 0, attachment_chunks: 0, outbox: 0, idempotency_keys: 0 } });
      const after = await dump(stack);
      expect({ ...after, erasures_done: [] }).toEqual({ ...before, erasures_done: [] });
    });

    it('erases everything of the person in every table, bytes included, and nothing of the other visitor; the same erasure again changes nothing', async () => {
      const bobBefore = await dump(stack);
      const erasureId = `era_${randomUUID()}`;
      const first = await erase(erasureId, alice.keys);
      expect(first.err).toBeNull();
      expect(first.response.erased).toMatchObject({ conversations: 2, messages: 700 + 6, attachments: 3, attachment_chunks: 3, idempotency_keys: 1 });
      expect(first.response.erased.outbox).toBeGreaterThan(5);

      const after = await dump(stack);
      expect(tablesHolding(after, personNeedles(alice))).toEqual([]);
      // Her conversation ids stay only in the operators' audit log (who changed a status when: ids, no content).
      expect(tablesHolding(after, alice.conversationIds)).toEqual(['audit_log']);
      expect(await sql(stack, `SELECT count(*)::int AS n FROM conversation.attachment_chunks WHERE attachment_id = ANY($1)`, [alice.attachmentIds])).toEqual([{ n: 0 }]);
      // Bob: every row he had is still there, unchanged.
      for (const [table, rows] of Object.entries(bobBefore)) {
        const his = rows.filter((r) => personNeedles(bob).some((n) => r.includes(n) || r.includes(Buffer.from(n).toString('hex'))));
        expect({ table, rows: after[table].filter((r) => his.includes(r)) }).toEqual({ table, rows: his });
      }
      expect(tablesHolding(after, personNeedles(bob))).toEqual(['attachment_chunks', 'attachments', 'conversations', 'idempotency_keys', 'messages', 'outbox']);
      // The ledger holds counts, never data.
      const ledger = await sql(stack, `SELECT workspace_id AS "workspaceId", erased FROM conversation.erasures_done WHERE erasure_id = $1`, [erasureId]);
      expect(ledger).toEqual([{ workspaceId: alice.keys.workspaceId, erased: first.response.erased }]);

      const again = await erase(erasureId, alice.keys);
      expect(again.response).toEqual(first.response);
      expect(await dump(stack)).toEqual(after);
      // Her conversations are gone for everyone: the operator API no longer finds them.
      expect((await admin.get(`/conversations/${alice.conversationIds[0]}`, { token: stack.adminKey })).status).toBe(404);
    });

    it('through the operator API (POST …/erasures by the site user id): the session service finds the person and this part erases the same way', async () => {
      const frank = await identifiedVisitor(widget, 'frank');
      const erasure = await eraseThroughApi(widget.admin, widget.workspaceId, { userId: frank.siteUserId! }, 'conversation');
      expect(erasure.parts.conversation.erased).toMatchObject({ conversations: 2, messages: 6, attachments: 3, attachment_chunks: 3, idempotency_keys: 1 });
      const after = await dump(stack);
      expect(tablesHolding(after, personNeedles(frank))).toEqual([]);
      expect(tablesHolding(after, personNeedles(bob))).toEqual(['attachment_chunks', 'attachments', 'conversations', 'idempotency_keys', 'messages', 'outbox']);
    });
  });

  describe('retention, two replicas sweeping at once', () => {
    const replicas: RunningApp[] = [];

    afterAll(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
    });

    it('a session service that does not answer: the pass is logged and skipped, and the next one asks again', async () => {
      // A replica of a NATS namespace of its own, where no session service answers.
      const alone = await stack.spawn('conversation', {
        NATS_SUBJECT_PREFIX: `${prefix}alone.`,
        RETENTION_SWEEP_INTERVAL_MS: '300',
        OUTBOX_POLL_MS: '60000',
        OUTBOX_MIN_AGE_MS: '60000',
        ...harnessNatsEnv(stack),
      });
      try {
        const log = await eventually(
          async () => readFileSync(alone.logFile, 'utf8'),
          (text) => text.split("retention: the session service did not give the workspaces' settings").length > 2,
          10_000,
        );
        expect(log.split("retention: the session service did not give the workspaces' settings").length).toBeGreaterThan(2);
      } finally {
        await alone.stop();
      }
    });

    it('deletes conversations and attachments older than the workspace keeps (PATCH …/workspaces/{ws} retention), bytes too; newer ones and another workspace stay', async () => {
      const kept = await createTestWidget(stack, { features: { attachments: true } });
      const other = await createTestWidget(stack, { features: { attachments: true } });
      const visitor = await startAnonymous(kept);
      const conv = async (widget: TestWidget, token: string, text: string) => (await widget.api.post('/conversations', { message: text }, { token })).body.id as string;
      const oldConv = await conv(kept, visitor.token, 'an old question');
      const oldFile = await attach(kept, visitor.token, oldConv, 'old', true);
      const activeConv = await conv(kept, visitor.token, 'still going');
      const staleFile = await attach(kept, visitor.token, activeConv, 'stale', true);
      await kept.api.post(`/conversations/${activeConv}/messages`, { text: 'with a note' }, { token: visitor.token });
      const freshFile = await attach(kept, visitor.token, activeConv, 'fresh', true);
      const stranger = await startAnonymous(other);
      const otherConv = await conv(other, stranger.token, 'elsewhere');
      const otherFile = await attach(other, stranger.token, otherConv, 'elsewhere', true);
      // 40 days without activity (the old conversation, and the other workspace's); 10-day-old files.
      await sql(stack, `UPDATE conversation.conversations SET updated_at = now() - interval '40 days', created_at = now() - interval '40 days' WHERE id = ANY($1)`, [[oldConv, otherConv]]);
      await sql(stack, `UPDATE conversation.attachments SET created_at = now() - interval '10 days' WHERE id = ANY($1)`, [[oldFile, staleFile, otherFile]]);

      // A second replica beside the stack's, both sweeping every 400 ms.
      replicas.push(await stack.spawn('conversation'));
      const retention = async (widget: TestWidget, value: Record<string, number>) =>
        expect((await admin.patch(`/workspaces/${widget.workspaceId}`, { retention: value }, { token: stack.adminKey })).status).toBe(200);
      await retention(other, { conversationDays: 60, attachmentDays: 30 });
      await retention(kept, { conversationDays: 30, attachmentDays: 7 });

      const state = () =>
        sql(
          stack,
          `SELECT (SELECT count(*)::int FROM conversation.conversations WHERE id = $1) AS "oldConv",
                  (SELECT count(*)::int FROM conversation.messages WHERE conversation_id = $1) AS "oldMessages",
                  (SELECT array_agg(id ORDER BY id) FROM conversation.attachments WHERE id = ANY($2)) AS files,
                  (SELECT count(*)::int FROM conversation.attachment_chunks WHERE attachment_id = ANY($3)) AS "deletedChunks"`,
          [oldConv, [oldFile, staleFile, freshFile, otherFile], [oldFile, staleFile]],
        );
      const done = await eventually(state, (s) => s[0].oldConv === 0 && (s[0].files ?? []).length === 2);
      expect(done).toEqual([{ oldConv: 0, oldMessages: 0, files: [freshFile, otherFile].sort(), deletedChunks: 0 }]);
      // The active conversation stays; its message keeps its text and loses the expired file from its list.
      const thread = await kept.api.get(`/conversations/${activeConv}/messages`, { token: visitor.token });
      const carried = thread.body.data.map((m: any) => ({ text: m.text, files: m.attachments.map((a: any) => a.id) }));
      expect(carried).toEqual([
        { text: '', files: [freshFile] },
        { text: 'with a note', files: [] },
        { text: '', files: [] },
        { text: 'still going', files: [] },
      ]);
      // The other workspace keeps conversations 60 days and files 30: its 40-day-old conversation and 10-day-old file stay.
      expect(await sql(stack, `SELECT count(*)::int AS n FROM conversation.messages WHERE conversation_id = $1`, [otherConv])).toEqual([{ n: 2 }]);
      const logs = [...stack.apps.filter((a) => a.name === 'conversation'), ...replicas].map((a) => readFileSync(a.logFile, 'utf8')).join('\n');
      expect(logs).not.toMatch(/retention of \S+ failed/);
      expect(logs).toContain(`retention of ${kept.workspaceId} deleted`);
      await retention(kept, { conversationDays: null, attachmentDays: null } as never);
    });
  });

  describe('erasure with attachments in S3 (s3rver)', () => {
    let s3: S3rver;
    let port: number;
    let dir: string;
    let s3Conversation: RunningApp;
    const bucket = 'widget-attachments';

    const startS3 = async () => {
      s3 = new S3rver({ port: port ?? 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket, configs: [] }] });
      port = ((await s3.run()) as { port: number }).port;
    };
    const objects = async (attachmentIds: string[]) => {
      const listed = await s3.store.listObjects(bucket, { prefix: 'test/' });
      return listed.objects.map((o: { key: string }) => o.key).filter((k: string) => attachmentIds.some((id) => k.startsWith(`test/${id}/`)));
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 's3rver-privacy-'));
      await startS3();
      // The deployment moves to S3: its one conversation replica is replaced by one that stores new uploads there.
      await stack.apps.find((a) => a.name === 'conversation')!.stop();
      s3Conversation = await stack.spawn('conversation', {
        S3_BUCKET: bucket,
        S3_ENDPOINT: `http://127.0.0.1:${port}`,
        S3_ACCESS_KEY_ID: 'S3RVER',
        S3_SECRET_ACCESS_KEY: 'S3RVER',
        S3_KEY_PREFIX: 'test/',
        ATTACHMENT_SWEEP_INTERVAL_MS: '300',
      });
    }, 120_000);

    afterAll(async () => {
      await s3Conversation?.stop();
      await s3?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("deletes the person's objects and none of the other visitor's; the queue keeps ids only, until its late pass", async () => {
      const widget = await createTestWidget(stack, { features: { attachments: true } });
      const carol = await identifiedVisitor(widget, 'carol');
      const dave = await anonymousVisitor(widget, 'dave');
      expect(await sql(stack, `SELECT DISTINCT storage FROM conversation.attachments WHERE id = ANY($1)`, [carol.attachmentIds])).toEqual([{ storage: 's3' }]);
      expect(await objects(carol.attachmentIds)).toHaveLength(3);

      const reply = await erase(`era_${randomUUID()}`, carol.keys);
      expect(reply.response.erased).toMatchObject({ conversations: 2, attachments: 3, attachment_chunks: 0 });
      expect(await eventually(() => objects(carol.attachmentIds), (keys) => keys.length === 0, 10_000)).toEqual([]);
      expect(await objects(dave.attachmentIds)).toHaveLength(1);
      expect(tablesHolding(await dump(stack), [carol.marker, ...carol.keys.sessionIds, ...carol.keys.userIds])).toEqual([]);
      const queued = await sql(stack, `SELECT attachment_id AS id FROM conversation.attachment_purges WHERE attachment_id = ANY($1) ORDER BY 1`, [carol.attachmentIds]);
      expect(queued.map((q) => q.id)).toEqual(carol.attachmentIds);
      // Five minutes on, the late pass (past any chunk write still on its way) deletes again and forgets them.
      await sql(stack, `UPDATE conversation.attachment_purges SET created_at = now() - interval '6 minutes', next_at = now() WHERE attachment_id = ANY($1)`, [
        carol.attachmentIds,
      ]);
      await eventually(
        () => sql(stack, `SELECT count(*)::int AS n FROM conversation.attachment_purges WHERE attachment_id = ANY($1)`, [carol.attachmentIds]),
        (r) => r[0].n === 0,
        10_000,
      );
    });

    it('S3 down during the erasure: the erasure is done, and the bytes go once S3 is back', async () => {
      const widget = await createTestWidget(stack, { features: { attachments: true } });
      const erin = await anonymousVisitor(widget, 'erin');
      expect(await objects(erin.attachmentIds)).toHaveLength(1);
      await s3.close();
      const reply = await erase(`era_${randomUUID()}`, erin.keys);
      expect(reply.response.erased).toMatchObject({ conversations: 1, attachments: 1 });
      const failed = await eventually(
        async () => readFileSync(s3Conversation.logFile, 'utf8'),
        (log) => log.includes(`attachment purge of ${erin.attachmentIds[0]} failed`),
        20_000,
      );
      expect(failed).toContain(`attachment purge of ${erin.attachmentIds[0]} failed`);
      expect(await sql(stack, `SELECT count(*)::int AS n FROM conversation.attachment_purges WHERE attachment_id = $1`, [erin.attachmentIds[0]])).toEqual([{ n: 1 }]);
      await startS3();
      expect(await objects(erin.attachmentIds)).toHaveLength(1);
      // Rather than wait out the minute's lease of the failed attempt.
      await sql(stack, `UPDATE conversation.attachment_purges SET next_at = now() WHERE attachment_id = $1`, [erin.attachmentIds[0]]);
      expect(await eventually(() => objects(erin.attachmentIds), (keys) => keys.length === 0, 15_000)).toEqual([]);
    });
  });
});
