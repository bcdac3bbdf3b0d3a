import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NatsBus } from '@widget/common';
import { ConversationRpc, SessionRpc } from '@widget/contracts';
import { AdminApi, Api, createTestWidget, harnessBusConnection, signIdentity, Stack, startAnonymous, startStack } from '@widget/testing';

jest.setTimeout(180_000);

/**
 * Logs carry no personal data and no secrets, at any level. A stack of its own
 * at LOG_LEVEL=trace: every kind of visitor and operator data is sent with a
 * unique marker, error paths are forced (bad input at the edge, a bad identity
 * token, and database errors raised inside the services by bypassing the
 * edge over NATS with text PostgreSQL refuses), then every process's log file
 * is searched for each marker, token and secret.
 */
describe('logs without personal data', () => {
  let stack: Stack;
  const mark = `mk${randomBytes(6).toString('hex')}`;
  /** Everything the suite sent or received that must never be logged. */
  const used = new Map<string, string>();
  const use = (what: string, value: string) => {
    used.set(what, value);
    return value;
  };
  let bus: NatsBus;
  /** The contracts' subjects carry the shared stack's prefix; this stack has its own. */
  const onThisStack = <R extends { subject: string }>(route: R): R => ({
    ...route,
    subject: `${stack.env.NATS_SUBJECT_PREFIX}${route.subject.slice((process.env.NATS_SUBJECT_PREFIX ?? '').length)}`,
  });

  beforeAll(async () => {
    stack = await startStack({ env: { LOG_LEVEL: 'trace' } });
    bus = new NatsBus({ connection: harnessBusConnection(stack, 'log-privacy-spec'), requestTimeoutMs: 5000 });
    // Each process's NATS password (the stack hands every app its own) must never be logged either.
    for (const [name, value] of Object.entries(stack.env)) if (name.startsWith('NATS_PASSWORD_')) use(name, value);
    await bus.onModuleInit();
  });
  afterAll(async () => {
    await bus?.onApplicationShutdown();
    await stack?.stop();
  });

  it('no marker, token or secret appears in any log line', async () => {
    use('admin key', stack.adminKey);
    use('encryption key', stack.env.SECRET_ENCRYPTION_KEY);
    const widget = await createTestWidget(stack, { name: use('widget name', `Widget ${mark}w`) });
    use('widget secret', widget.secret);
    const admin = new AdminApi(stack.baseUrl, stack.adminKey);
    const api = widget.api;

    const anon = await startAnonymous(widget);
    use('session token', anon.token);
    const jwt = await signIdentity(widget, { sub: use('user id', `u-${mark}-sub`), email: use('email', `${mark}@mail.example`), name: use('user name', `Ada ${mark}n`) });
    use('identity token', jwt);
    const identified = await api.post('/sessions/identify', { token: jwt }, { token: anon.token });
    expect(identified.status).toBe(200);
    const token = use('identified token', identified.body.token);
    const rt = await api.post('/sessions/realtime-token', undefined, { token });
    use('realtime token', rt.body.token);

    const conv = await api.post(
      '/conversations',
      { message: use('message text', `hello ${mark}m`), subject: use('subject', `subj ${mark}s`), clientMessageId: `c-${mark}`, metadata: { plan: use('metadata', `meta${mark}`) }, tags: [use('tag', `tag${mark}`)] },
      { token },
    );
    expect(conv.status).toBe(201);
    expect((await api.post(`/conversations/${conv.body.id}/messages`, { text: use('second message', `second ${mark}x`), clientMessageId: `c2-${mark}` }, { token })).status).toBe(201);
    expect((await admin.post(`/conversations/${conv.body.id}/messages`, { text: use('agent reply', `agent ${mark}a`), author: { id: 'op1', name: use('operator name', `Op ${mark}o`) } })).status).toBe(201);

    const form = await admin.post(`/workspaces/${widget.workspaceId}/forms`, { name: 'Contact', fields: [{ key: 'email', type: 'email', label: 'Email', required: true }, { key: 'note', type: 'text', label: 'Note' }] });
    await admin.patch(`/widgets/${widget.widgetId}`, { forms: { visibleFormIds: [form.body.id] } });
    const submitted = await api.post(`/forms/${form.body.id}/submissions`, { values: { email: use('form email', `f${mark}@mail.example`), note: use('form note', `note ${mark}f`) } }, { token });
    expect(submitted.status).toBe(201);

    await admin.post(`/workspaces/${widget.workspaceId}/articles`, { title: use('article title', `Title ${mark}t`), body: `<p>${use('article body', `body ${mark}b`)}</p>`, status: 'published' });
    expect((await api.get(`/articles/search?q=${use('search', `${mark}q`)}`, { token })).status).toBe(200);
    expect((await api.post('/ai/answer', { question: use('question', `how ${mark}qq`) }, { token })).status).toBe(200);
    expect((await api.post('/events', { events: [{ type: 'page_view', properties: { url: use('event property', `https://shop.example.com/${mark}e`) } }] }, { token })).status).toBe(202);

    // Error paths at the edge: refused bodies, a forged identity token, a made-up session token.
    await api.post('/conversations', undefined, { token, raw: `{"message": "${mark}broken` });
    await api.post('/conversations', undefined, { token, raw: `{"message":"x","clientMessageId":"c","subject":"${mark}\\u0000"}` });
    await api.post('/sessions/identify', { token: use('forged jwt', `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ email: `${mark}@forged.example` })).toString('base64url')}.sig`) }, { token });
    await api.post('/sessions/refresh', undefined, { token: use('made-up token', `wst_${mark}madeup000000000000000000000000`) });
    await new Api(`${stack.baseUrl}/admin/v1`).get('/widgets/x', { token: use('wrong admin key', `adm_${mark}wrongwrongwrongwrong`) });

    // Error paths inside the services: text PostgreSQL refuses, sent past the edge. Each fails in SQL with the marker bound.
    const session = await bus.send(onThisStack(SessionRpc.authenticate), { token });
    await expect(
      bus.send(onThisStack(ConversationRpc.create), { session, body: { message: `nul ${mark}z`, subject: `\u0000${mark}z`, clientMessageId: `n-${mark}` } as never }),
    ).rejects.toMatchObject({ code: 'internal_error' });
    await expect(
      bus.send(onThisStack(SessionRpc.patchWidget), { widgetId: widget.widgetId, patch: { name: `\u0000${mark}y` } as never }),
    ).rejects.toMatchObject({ code: 'internal_error' });
    use('nul text', `${mark}z`);
    use('nul widget name', `${mark}y`);

    // Every process's log, every level, after the processes flushed (pino writes synchronously to the file).
    await Promise.all(stack.apps.map((a) => a.stop()));
    const files = readdirSync(stack.logDir).filter((f) => f.endsWith('.log'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    const lines = files.flatMap((f) => readFileSync(join(stack.logDir, f), 'utf8').split('\n').filter(Boolean).map((line) => ({ file: f, line })));
    // The forced database errors were logged (so the search below looked at them), without their data.
    const dbErrors = lines.filter(({ line }) => line.includes('unhandled error in NATS handler'));
    expect(dbErrors.length).toBeGreaterThanOrEqual(2);
    for (const { line } of dbErrors) expect(JSON.parse(line).err).toMatchObject({ sqlState: expect.stringMatching(/^[0-9A-Z]{5}$/) });

    const leaks: string[] = [];
    for (const { file, line } of lines) {
      if (line.includes(mark)) leaks.push(`${file}: marker: ${line.slice(0, 400)}`);
      for (const [what, value] of used) if (value.length >= 8 && line.includes(value)) leaks.push(`${file}: ${what}: ${line.slice(0, 400)}`);
    }
    console.log(`log search: ${files.length} files, ${lines.length} lines, ${used.size} values and the marker ${mark} searched, ${leaks.length} found`);
    expect(leaks).toEqual([]);
  });
});
