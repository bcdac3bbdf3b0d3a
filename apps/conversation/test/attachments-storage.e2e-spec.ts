import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
import S3rver = require('s3rver');
import { createTestWidget, queryDatabase, slowUpload, Stack, startAnonymous, startStack, TEST_ORIGIN, TINY_PDF, TINY_PNG, uploadFile } from '@widget/testing';
import { eventually } from './helpers';

/** Both storage back ends (SPEC §13), the unsent-upload sweep and a restart mid-upload, each on a stack of its own. */

const rows = <T = any>(stack: Stack, sql: string, params: unknown[] = []) => queryDatabase<T>(stack.databaseUrl, sql, params);

/** Upload, send, read back: the round trip every back end must pass. */
async function roundTrip(stack: Stack) {
  const widget = await createTestWidget(stack, { features: { attachments: true } });
  const me = await startAnonymous(widget);
  const conv = await widget.api.post('/conversations', { message: 'hi' }, { token: me.token });
  const big = Buffer.concat([TINY_PDF, Buffer.alloc(1_300_000, 0x20), Buffer.from('\n%%EOF\n')]);
  const up = await uploadFile(`${stack.baseUrl}/widget/v1/conversations/${conv.body.id}/attachments`, { name: 'big.pdf', bytes: big }, { token: me.token, origin: TEST_ORIGIN });
  expect(up.status).toBe(201);
  const sent = await widget.api.post(`/conversations/${conv.body.id}/messages`, { attachmentIds: [up.body.id] }, { token: me.token });
  expect(sent.status).toBe(201);
  const res = await fetch(`${stack.baseUrl}${sent.body.attachments[0].url}`, { headers: { authorization: `Bearer ${me.token}` } });
  expect(res.status).toBe(200);
  expect(Buffer.from(await res.arrayBuffer()).equals(big)).toBe(true);
  const ranged = await fetch(`${stack.baseUrl}${sent.body.attachments[0].url}`, { headers: { authorization: `Bearer ${me.token}`, range: 'bytes=524280-524300' } });
  expect(ranged.status).toBe(206);
  expect(Buffer.from(await ranged.arrayBuffer()).equals(big.subarray(524280, 524301))).toBe(true);
  return { widget, me, conversationId: conv.body.id as string, attachmentId: up.body.id as string, bytes: big };
}

describe('attachments on S3-compatible storage (s3rver)', () => {
  let s3: S3rver;
  let dir: string;
  let stack: Stack;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3rver-'));
    s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'widget-attachments', configs: [] }] });
    const { port } = (await s3.run()) as { port: number };
    stack = await startStack({
      services: ['session', 'conversation'],
      realtime: false,
      env: { S3_BUCKET: 'widget-attachments', S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER', S3_KEY_PREFIX: 'test/' },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores chunks as objects, none in PostgreSQL, and serves them back whole and by range', async () => {
    const { attachmentId } = await roundTrip(stack);
    expect(await rows(stack, `SELECT storage, chunks FROM conversation.attachments WHERE id = $1`, [attachmentId])).toEqual([{ storage: 's3', chunks: 3 }]);
    expect(await rows(stack, `SELECT count(*)::int AS n FROM conversation.attachment_chunks`)).toEqual([{ n: 0 }]);
    const objects = await s3.store.listObjects('widget-attachments', { prefix: `test/${attachmentId}/` });
    expect(objects.objects.map((o: { key: string }) => o.key).sort()).toEqual([0, 1, 2].map((n) => `test/${attachmentId}/${n}`));
  });
});

describe('attachments in PostgreSQL: the unsent sweep and a restart mid-upload', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ services: ['session', 'conversation'], realtime: false, env: { ATTACHMENT_SWEEP_INTERVAL_MS: '300' } });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('round trip: chunks as rows', async () => {
    const { attachmentId } = await roundTrip(stack);
    expect(await rows(stack, `SELECT storage FROM conversation.attachments WHERE id = $1`, [attachmentId])).toEqual([{ storage: 'postgres' }]);
    expect(await rows(stack, `SELECT count(*)::int AS n FROM conversation.attachment_chunks WHERE attachment_id = $1`, [attachmentId])).toEqual([{ n: 3 }]);
  });

  it('an attachment not sent within an hour is deleted with its bytes; a sent one stays', async () => {
    const widget = await createTestWidget(stack, { features: { attachments: true } });
    const me = await startAnonymous(widget);
    const conv = await widget.api.post('/conversations', { message: 'hi' }, { token: me.token });
    const url = `${stack.baseUrl}/widget/v1/conversations/${conv.body.id}/attachments`;
    const unsent = await uploadFile(url, { name: 'a.png', bytes: TINY_PNG }, { token: me.token, origin: TEST_ORIGIN });
    const sent = await uploadFile(url, { name: 'b.png', bytes: TINY_PNG }, { token: me.token, origin: TEST_ORIGIN });
    await widget.api.post(`/conversations/${conv.body.id}/messages`, { attachmentIds: [sent.body.id] }, { token: me.token });
    const young = await uploadFile(url, { name: 'c.png', bytes: TINY_PNG }, { token: me.token, origin: TEST_ORIGIN });
    await rows(stack, `UPDATE conversation.attachments SET created_at = now() - interval '61 minutes' WHERE id = ANY($1)`, [[unsent.body.id, sent.body.id]]);
    const left = await eventually(
      () => rows(stack, `SELECT a.id, (SELECT count(*)::int FROM conversation.attachment_chunks c WHERE c.attachment_id = a.id) AS chunks FROM conversation.attachments a WHERE a.conversation_id = $1 ORDER BY a.id`, [conv.body.id]),
      (r) => r.length === 2,
    );
    expect(left).toEqual([
      { id: sent.body.id, chunks: 1 },
      { id: young.body.id, chunks: 1 },
    ]);
    expect(await rows(stack, `SELECT count(*)::int AS n FROM conversation.attachment_chunks WHERE attachment_id = $1`, [unsent.body.id])).toEqual([{ n: 0 }]);
  });

  it('a conversation service killed in the middle of an upload leaves no row and no chunk once it is back', async () => {
    const widget = await createTestWidget(stack, { features: { attachments: true } });
    const me = await startAnonymous(widget);
    const conv = await widget.api.post('/conversations', { message: 'hi' }, { token: me.token });
    const upload = slowUpload(`${stack.baseUrl}/widget/v1/conversations/${conv.body.id}/attachments`, {
      token: me.token,
      origin: TEST_ORIGIN,
      totalBytes: 8 * 1024 * 1024,
      chunkBytes: 64 * 1024,
      intervalMs: 40,
      head: TINY_PNG,
    }).catch((err: Error) => ({ status: 0, body: { error: { code: err.message } }, writtenWhenAnswered: -1 }));
    const started = await eventually(
      () => rows(stack, `SELECT count(*)::int AS n FROM conversation.attachment_chunks c JOIN conversation.attachments a ON a.id = c.attachment_id WHERE a.conversation_id = $1`, [conv.body.id]),
      (r) => r[0].n >= 2,
    );
    expect(started[0].n).toBeGreaterThanOrEqual(2);
    const service = stack.apps.find((a) => a.name === 'conversation')!;
    await service.stop('SIGKILL');
    const answer = await upload;
    // The client hears a recoverable failure (or loses the connection), never a 201 for a file that was cut off.
    expect([503, 0]).toContain(answer.status);
    const restarted = await stack.spawn('conversation');
    stack.apps.push(restarted);
    const left = await eventually(
      () =>
        rows(
          stack,
          `SELECT (SELECT count(*)::int FROM conversation.attachments WHERE conversation_id = $1) AS attachments,
                  (SELECT count(*)::int FROM conversation.attachment_chunks c WHERE NOT EXISTS (SELECT 1 FROM conversation.attachments a WHERE a.id = c.attachment_id)) AS orphans`,
          [conv.body.id],
        ),
      (r) => r[0].attachments === 0 && r[0].orphans === 0,
    );
    expect(left).toEqual([{ attachments: 0, orphans: 0 }]);
  });
});
