import {
  ApiResponse,
  spawnApp,
  createTestWidget,
  nextEvent,
  openSocket,
  queryDatabase,
  slowUpload,
  startAnonymous,
  TEST_ORIGIN,
  testStack,
  TestWidget,
  TINY_PDF,
  TINY_PNG,
  uploadFile,
} from '@widget/testing';
import { expectError } from './helpers';

const stack = testStack();
const GIF_POLYGLOT = Buffer.concat([Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), Buffer.from('<script>alert(document.domain)</script>')]);

const query = <T = any>(sql: string, params: unknown[] = []) => queryDatabase<T>(stack.databaseUrl, sql, params);

/** A widget with attachments on, a visitor and a conversation of theirs. */
async function visitorWithConversation(widget?: TestWidget) {
  const w = widget ?? (await createTestWidget(stack, { features: { attachments: true } }));
  const me = await startAnonymous(w);
  const conv = await w.api.post('/conversations', { message: 'hello' }, { token: me.token });
  return { widget: w, me, conversationId: conv.body.id as string };
}

const uploadAs = (token: string, conversationId: string, file: { name: string; bytes: Buffer; type?: string }, origin: string | null = TEST_ORIGIN) =>
  uploadFile(`${stack.baseUrl}/widget/v1/conversations/${conversationId}/attachments`, file, { token, origin: origin ?? undefined });

async function download(url: string, token: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; bytes: Buffer; body: any }> {
  const res = await fetch(`${stack.baseUrl}${url}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const bytes = Buffer.from(await res.arrayBuffer());
  let body: any;
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) body = JSON.parse(bytes.toString('utf8'));
  return { status: res.status, headers: res.headers, bytes, body };
}

/** An operator reads the same link under /admin/v1/workspaces/{ws}/attachments/{id}. */
const operatorUrl = (url: string, workspaceId: string) => url.replace('/widget/v1/attachments/', `/admin/v1/workspaces/${workspaceId}/attachments/`);

const asEnvelope = (res: { status: number; headers: Headers; body: any }): ApiResponse => ({ status: res.status, headers: res.headers, body: res.body, text: '' });

describe('attachments (SPEC §13): upload, send, receive, download', () => {
  it('a visitor uploads a PNG, sends it, gets it over the socket, and downloads it; an operator reads it too', async () => {
    const { widget, me, conversationId } = await visitorWithConversation();
    const up = await uploadAs(me.token, conversationId, { name: 'screen shot.png', bytes: TINY_PNG, type: 'image/png' });
    expect(up.status).toBe(201);
    expect(up.body).toEqual({ id: expect.stringMatching(/^att_[0-9A-Z]{26}$/), name: 'screen shot.png', contentType: 'image/png', size: TINY_PNG.length, url: expect.stringMatching(/^\/widget\/v1\/attachments\/att_\w+\?expires=\d+&sig=[\w-]{43}$/) });

    const rt = await widget.api.post('/sessions/realtime-token', undefined, { token: me.token });
    const socket = await openSocket(stack.baseUrl, { token: rt.body.token });
    try {
      const received = nextEvent(socket, 'message.created', (e: any) => e.payload.message.attachments?.length > 0);
      const sent = await widget.api.post(`/conversations/${conversationId}/messages`, { attachmentIds: [up.body.id], clientMessageId: 'with-file' }, { token: me.token });
      expect(sent.status).toBe(201);
      expect(sent.body).toMatchObject({ text: '', attachments: [{ id: up.body.id, name: 'screen shot.png', contentType: 'image/png', size: TINY_PNG.length }] });
      const event = await received;
      expect(event.payload.message.attachments).toEqual([expect.objectContaining({ id: up.body.id, url: expect.any(String) })]);
      expect(JSON.stringify(event)).not.toContain(TINY_PNG.toString('base64'));
    } finally {
      socket.close();
    }

    const list = await widget.api.get(`/conversations/${conversationId}/messages`, { token: me.token });
    const url = list.body.data[0].attachments[0].url as string;
    const mine = await download(url, me.token);
    expect(mine.status).toBe(200);
    expect(mine.bytes.equals(TINY_PNG)).toBe(true);
    expect(Object.fromEntries(['content-type', 'x-content-type-options', 'content-security-policy', 'content-disposition', 'cache-control'].map((h) => [h, mine.headers.get(h)]))).toEqual({
      'content-type': 'image/png',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'content-disposition': `inline; filename="screen shot.png"; filename*=UTF-8''screen%20shot.png`,
      'cache-control': 'private, no-store',
    });
    const operator = await download(operatorUrl(url, widget.workspaceId), stack.adminKey);
    expect(operator.status).toBe(200);
    expect(operator.bytes.equals(TINY_PNG)).toBe(true);
  });

  it('an operator attaches a PDF to a reply; the visitor downloads it as an attachment, by range too', async () => {
    const { widget, me, conversationId } = await visitorWithConversation();
    const up = await uploadFile(`${stack.baseUrl}/admin/v1/conversations/${conversationId}/attachments`, { name: 'invoice.pdf', bytes: TINY_PDF }, { token: stack.adminKey });
    expect(up.status).toBe(201);
    expect(up.body.contentType).toBe('application/pdf');
    const reply = await widget.admin.post(`/conversations/${conversationId}/messages`, { attachmentIds: [up.body.id], author: { id: 'agent_1', name: 'Alex' } });
    expect(reply.status).toBe(201);
    expect(reply.body.attachments).toEqual([expect.objectContaining({ id: up.body.id, name: 'invoice.pdf' })]);
    const list = await widget.api.get(`/conversations/${conversationId}/messages`, { token: me.token });
    const file = await download(list.body.data[0].attachments[0].url, me.token);
    expect(file.status).toBe(200);
    expect(file.bytes.equals(TINY_PDF)).toBe(true);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="invoice.pdf"/);
    const part = await download(list.body.data[0].attachments[0].url, me.token, { range: 'bytes=5-7' });
    expect({ status: part.status, range: part.headers.get('content-range'), bytes: part.bytes.toString() }).toEqual({ status: 206, range: `bytes 5-7/${TINY_PDF.length}`, bytes: TINY_PDF.subarray(5, 8).toString() });
    const outside = await download(list.body.data[0].attachments[0].url, me.token, { range: 'bytes=9999-' });
    expectError(asEnvelope(outside), 416, 'validation_error', 'range_not_satisfiable');
  });

  it('is refused to another session, to another workspace, and to anyone once the link is forged or expired', async () => {
    const { widget, me, conversationId } = await visitorWithConversation();
    const up = await uploadAs(me.token, conversationId, { name: 'a.png', bytes: TINY_PNG });
    await widget.api.post(`/conversations/${conversationId}/messages`, { attachmentIds: [up.body.id] }, { token: me.token });
    const stranger = await startAnonymous(widget);
    expectError(asEnvelope(await download(up.body.url, stranger.token)), 404, 'not_found', 'attachment_not_found');
    const other = await createTestWidget(stack, { features: { attachments: true } });
    expectError(asEnvelope(await download(operatorUrl(up.body.url, other.workspaceId), stack.adminKey)), 404, 'not_found', 'attachment_not_found');
    const forged = (up.body.url as string).replace(/sig=[\w-]+/, `sig=${'A'.repeat(43)}`);
    expectError(asEnvelope(await download(forged, me.token)), 401, 'invalid_token', 'link_invalid');
    const later = (up.body.url as string).replace(/expires=\d+/, (m) => `expires=${Number(m.split('=')[1]) + 3600}`);
    expectError(asEnvelope(await download(later, me.token)), 401, 'invalid_token', 'link_invalid');
    expectError(asEnvelope(await download(up.body.url, 'made-up-token')), 401, 'invalid_token');
    // An expired link: signed by the server for a time already past (a conversation service with a 10 s TTL would take 10 s).
    const { createHmac, hkdfSync } = await import('node:crypto');
    const key = Buffer.from(hkdfSync('sha256', Buffer.from(stack.env.SECRET_ENCRYPTION_KEY, 'base64'), Buffer.alloc(0), 'widget attachment links v1', 32));
    const expires = Math.floor(Date.now() / 1000) - 5;
    const sig = createHmac('sha256', key).update(`${up.body.id}.${expires}`).digest('base64url');
    const expired = await download(`/widget/v1/attachments/${up.body.id}?expires=${expires}&sig=${sig}`, me.token);
    expectError(asEnvelope(expired), 401, 'auth_expired', 'link_expired');
    expect(expired.body.error.recoverable).toBe(true);
  });

  it('types by content: a PNG named .pdf is a PNG; HTML named .png and an empty file are 415; a GIF carrying script is never inline', async () => {
    const { widget, me, conversationId } = await visitorWithConversation();
    const renamed = await uploadAs(me.token, conversationId, { name: 'report.pdf', bytes: TINY_PNG, type: 'application/pdf' });
    expect({ status: renamed.status, type: renamed.body.contentType }).toEqual({ status: 201, type: 'image/png' });
    for (const bytes of [Buffer.from('<!doctype html><script>alert(1)</script>'), Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), Buffer.alloc(0)]) {
      const refused = await uploadAs(me.token, conversationId, { name: 'cat.png', bytes, type: 'image/png' });
      expectError(refused, 415, 'unsupported_file_type');
    }
    const text = await uploadAs(me.token, conversationId, { name: 'notes.txt', bytes: Buffer.from('line one\nline two\n') });
    expect(text.body.contentType).toBe('text/plain');
    const polyglot = await uploadAs(me.token, conversationId, { name: 'funny.gif', bytes: GIF_POLYGLOT, type: 'image/gif' });
    expect(polyglot.body.contentType).toBe('image/gif');
    await widget.api.post(`/conversations/${conversationId}/messages`, { attachmentIds: [polyglot.body.id, text.body.id] }, { token: me.token });
    const served = await download(polyglot.body.url, me.token);
    expect({ type: served.headers.get('content-type'), disposition: served.headers.get('content-disposition'), csp: served.headers.get('content-security-policy') }).toEqual({
      type: 'image/gif',
      disposition: expect.stringMatching(/^attachment;/),
      csp: "default-src 'none'; sandbox",
    });
    const note = await download(text.body.url, me.token);
    expect({ type: note.headers.get('content-type'), disposition: note.headers.get('content-disposition') }).toEqual({
      type: 'text/plain; charset=utf-8',
      disposition: expect.stringMatching(/^attachment;/),
    });
  });

  it('sanitizes the stored name: no path, no control or bidi characters, capped', async () => {
    const { me, conversationId } = await visitorWithConversation();
    const up = await uploadAs(me.token, conversationId, { name: '../../etc/\u202egnp.exe\u0007 photo.png', bytes: TINY_PNG });
    expect(up.body.name).toBe('gnp.exe photo.png');
    const long = await uploadAs(me.token, conversationId, { name: `${'x'.repeat(500)}.png`, bytes: TINY_PNG });
    expect(long.body.name).toHaveLength(200);
    expect(long.body.name.endsWith('.png')).toBe(true);
  });

  it('an attachment is sent once, only into its own conversation, only by its uploader', async () => {
    const { widget, me, conversationId } = await visitorWithConversation();
    const up = await uploadAs(me.token, conversationId, { name: 'a.png', bytes: TINY_PNG });
    const first = await widget.api.post(`/conversations/${conversationId}/messages`, { attachmentIds: [up.body.id], clientMessageId: 'once' }, { token: me.token });
    expect(first.status).toBe(201);
    const retry = await widget.api.post(`/conversations/${conversationId}/messages`, { attachmentIds: [up.body.id], clientMessageId: 'once' }, { token: me.token });
    expect({ status: retry.status, id: retry.body.id }).toEqual({ status: 200, id: first.body.id });
    const twice = await widget.api.post(`/conversations/${conversationId}/messages`, { attachmentIds: [up.body.id], clientMessageId: 'twice' }, { token: me.token });
    expectError(twice, 400, 'validation_error', 'attachment_unavailable');

    const second = await widget.api.post('/conversations', { message: 'another' }, { token: me.token });
    const elsewhere = await uploadAs(me.token, second.body.id, { name: 'b.png', bytes: TINY_PNG });
    const wrongConversation = await widget.api.post(`/conversations/${conversationId}/messages`, { text: 'see', attachmentIds: [elsewhere.body.id] }, { token: me.token });
    expectError(wrongConversation, 400, 'validation_error', 'attachment_unavailable');
    const operatorSends = await widget.admin.post(`/conversations/${second.body.id}/messages`, { attachmentIds: [elsewhere.body.id], author: { id: 'a' } });
    expectError(operatorSends, 400, 'validation_error', 'attachment_unavailable');
    const duplicate = await widget.api.post(`/conversations/${second.body.id}/messages`, { attachmentIds: [elsewhere.body.id, elsewhere.body.id] }, { token: me.token });
    expectError(duplicate, 400, 'validation_error', 'attachment_unavailable');
    const unknown = await widget.api.post(`/conversations/${conversationId}/messages`, { attachmentIds: ['att_01HZZZZZZZZZZZZZZZZZZZZZZZ'] }, { token: me.token });
    expectError(unknown, 400, 'validation_error', 'attachment_unavailable');
    // Nothing was half-written by the refusals: one message with the file, and the other file still unsent.
    const rows = await query(`SELECT id, message_id FROM conversation.attachments WHERE id = ANY($1) ORDER BY id`, [[up.body.id, elsewhere.body.id]]);
    expect(rows).toEqual([
      { id: up.body.id, message_id: first.body.id },
      { id: elsewhere.body.id, message_id: null },
    ]);
  });

  it('bad requests: another session\'s conversation 404, no file 400, two files 400, JSON 400, text without attachments still required, feature off 403', async () => {
    const { widget, me, conversationId } = await visitorWithConversation();
    const stranger = await startAnonymous(widget);
    expectError(await uploadAs(stranger.token, conversationId, { name: 'a.png', bytes: TINY_PNG }), 404, 'conversation_not_found');
    expectError(await uploadAs(me.token, conversationId, { name: 'a.png', bytes: TINY_PNG }, 'https://evil.example'), 403, 'invalid_origin');
    const noFile = await uploadFile(`${stack.baseUrl}/widget/v1/conversations/${conversationId}/attachments`, { name: 'a.png', bytes: TINY_PNG }, { token: me.token, origin: TEST_ORIGIN, field: 'other' });
    expectError(noFile, 400, 'validation_error');
    const form = new FormData();
    form.append('file', new Blob([TINY_PNG]), 'a.png');
    form.append('file', new Blob([TINY_PNG]), 'b.png');
    const two = await fetch(`${stack.baseUrl}/widget/v1/conversations/${conversationId}/attachments`, { method: 'POST', headers: { authorization: `Bearer ${me.token}`, origin: TEST_ORIGIN }, body: form });
    expectError({ status: two.status, headers: two.headers, body: await two.json(), text: '' }, 400, 'validation_error', 'one_file_only');
    expectError(await widget.api.post(`/conversations/${conversationId}/attachments`, { file: 'x' }, { token: me.token }), 400, 'validation_error', 'unsupported_media_type');
    expectError(await widget.api.post(`/conversations/${conversationId}/messages`, { clientMessageId: 'x' }, { token: me.token }), 400, 'message_invalid');
    expectError(await widget.api.post(`/conversations/${conversationId}/messages`, { attachmentIds: [] }, { token: me.token }), 400, 'validation_error');
    const off = await visitorWithConversation(await createTestWidget(stack, { features: { attachments: false } }));
    expectError(await uploadAs(off.me.token, off.conversationId, { name: 'a.png', bytes: TINY_PNG }), 403, 'widget_disabled', 'feature_disabled');
  });

  it('too large: 413 attachment_too_large reaches a client that is still sending, and nothing of the upload is kept', async () => {
    const { me, conversationId } = await visitorWithConversation();
    const before = await query(`SELECT count(*)::int AS n FROM conversation.attachments WHERE conversation_id = $1`, [conversationId]);
    const result = await slowUpload(`${stack.baseUrl}/widget/v1/conversations/${conversationId}/attachments`, {
      token: me.token,
      origin: TEST_ORIGIN,
      totalBytes: 32 * 1024 * 1024,
      chunkBytes: 64 * 1024,
      head: TINY_PNG,
      intervalMs: 1,
    });
    expect({ status: result.status, code: result.body?.error?.code }).toEqual({ status: 413, code: 'attachment_too_large' });
    expect(result.writtenWhenAnswered).toBeLessThan(32 * 1024 * 1024);
    let rows: any[] = [];
    for (let i = 0; i < 50; i++) {
      rows = await query(
        `SELECT (SELECT count(*)::int FROM conversation.attachments WHERE conversation_id = $1) AS attachments,
                (SELECT count(*)::int FROM conversation.attachment_chunks c WHERE NOT EXISTS (SELECT 1 FROM conversation.attachments a WHERE a.id = c.attachment_id)) AS orphans`,
        [conversationId],
      );
      if (rows[0].attachments === before[0].n && rows[0].orphans === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows[0]).toEqual({ attachments: before[0].n, orphans: 0 });
  });

  it('a gateway streams at most ATTACHMENT_UPLOADS_IN_FLIGHT uploads at once; a later one waits its turn, then succeeds', async () => {
    const gateway = await spawnApp(stack, 'gateway', { ATTACHMENT_UPLOADS_IN_FLIGHT: '1' });
    try {
      const { me, conversationId } = await visitorWithConversation();
      const url = `${gateway.url}/widget/v1/conversations/${conversationId}/attachments`;
      let slowDone = 0;
      const slow = slowUpload(url, { token: me.token, origin: TEST_ORIGIN, totalBytes: 2 * 1024 * 1024, chunkBytes: 64 * 1024, intervalMs: 30, head: TINY_PNG }).then((r) => {
        slowDone = Date.now();
        return r;
      });
      // The slow upload holds the only slot once its first chunk is stored.
      for (let i = 0; i < 100; i++) {
        const [row] = await query(`SELECT count(*)::int AS n FROM conversation.attachments WHERE conversation_id = $1`, [conversationId]);
        if (row.n > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const fast = await uploadFile(url, { name: 'quick.png', bytes: TINY_PNG }, { token: me.token, origin: TEST_ORIGIN });
      const fastDone = Date.now();
      expect({ slow: (await slow).status, fast: fast.status }).toEqual({ slow: 201, fast: 201 });
      expect(fastDone).toBeGreaterThanOrEqual(slowDone);
    } finally {
      await gateway.stop();
    }
  });
});
