import {
  AdminApi,
  Api,
  expectEnvelope,
  nextDisconnect,
  openSocket,
  queryDatabase,
  signIdentity,
  Stack,
  uploadFile,
  startStack,
  TEST_ORIGIN,
  TestWidget,
} from '@widget/testing';
import { randomUUID } from 'node:crypto';

/**
 * SPEC §17 end to end on a stack of its own (a service is stopped in here):
 * find a person, export, erase across every service with one of them down,
 * the erasure finishing when it is back, the person's sessions dead and
 * sockets closed, another visitor untouched; retention settings.
 */
describe('privacy: erase and export a person (SPEC §17)', () => {
  let stack: Stack;
  let admin: AdminApi;
  let widget: TestWidget;
  let formId: string;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    stack = await startStack({ env: { ERASURE_RETRY_INTERVAL_MS: '300' } });
    admin = new AdminApi(stack.baseUrl, stack.adminKey);
    const ws = await admin.post('/workspaces', { name: 'privacy' });
    const form = await admin.post(`/workspaces/${ws.body.id}/forms`, { name: 'Contact', fields: [{ key: 'details', label: 'Details', type: 'textarea', required: true }] });
    formId = form.body.id;
    const created = await admin.post(`/workspaces/${ws.body.id}/widgets`, {
      name: 'privacy',
      allowedOrigins: [TEST_ORIGIN],
      features: { attachments: true, ticketForms: true },
      forms: { visibleFormIds: [formId] },
    });
    widget = { workspaceId: ws.body.id, widgetId: created.body.widget.id, secret: created.body.secret, api: new Api(`${stack.baseUrl}/widget/v1`, TEST_ORIGIN), admin };
    // Webhook deliveries carry what visitors wrote (SPEC §16): the integrations part of an erasure. Nothing listens there.
    const hook = await admin.post(`/workspaces/${ws.body.id}/webhooks`, { url: 'http://127.0.0.1:9/privacy', events: ['conversation.created', 'message.created', 'form.submitted'] });
    expect(hook.status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  /**
   * An anonymous visitor who writes, uploads a file, submits a form and sends events, then identifies
   * (the anonymous session merged into the user) and writes again.
   */
  async function visitor(externalId: string, email: string, text: string) {
    const anon = await widget.api.post('/sessions/anonymous', { workspaceId: widget.workspaceId, widgetId: widget.widgetId });
    await widget.api.patch('/sessions/current', { user: { name: 'Pat' } }, { token: anon.body.token });
    const conversation = await widget.api.post('/conversations', { message: text }, { token: anon.body.token });
    expect(conversation.status).toBe(201);
    const file = await uploadFile(`${stack.baseUrl}/widget/v1/conversations/${conversation.body.id}/attachments`, { name: 'notes.txt', bytes: Buffer.from(`${text} notes`) }, { token: anon.body.token, origin: TEST_ORIGIN });
    expect(file.status).toBe(201);
    expect((await widget.api.post(`/conversations/${conversation.body.id}/messages`, { attachmentIds: [file.body.id] }, { token: anon.body.token })).status).toBe(201);
    expect((await widget.api.post(`/forms/${formId}/submissions`, { values: { details: `${text} (form)` } }, { token: anon.body.token })).status).toBe(201);
    expect((await widget.api.post('/events', { events: [{ type: 'page_view', properties: { path: '/pricing' } }] }, { token: anon.body.token })).status).toBeLessThan(300);
    const jwt = await signIdentity(widget, { sub: externalId, email });
    const identified = await widget.api.post('/sessions/identify', { token: jwt }, { token: anon.body.token });
    expect(identified.status).toBe(200);
    const later = await widget.api.post(`/conversations/${conversation.body.id}/messages`, { text: `${text} (later)` }, { token: identified.body.token });
    expect(later.status).toBe(201);
    return { anonSessionId: anon.body.session.id as string, sessionId: identified.body.session.id as string, token: identified.body.token as string, conversationId: conversation.body.id as string };
  }

  async function settled(erasureId: string, timeoutMs = 30_000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const res = await admin.get(`/workspaces/${widget.workspaceId}/erasures/${erasureId}`);
      if (res.body.erasure.status === 'done' || Date.now() > until) return res.body.erasure;
      await sleep(200);
    }
  }

  it('bad input changes nothing: no selector, two, a malformed one, an unknown person, another workspace, an unknown erasure', async () => {
    const ws = widget.workspaceId;
    const before = await queryDatabase(stack.databaseUrl, `SELECT count(*)::int AS n FROM session.erasures`);
    expectEnvelope(await admin.post(`/workspaces/${ws}/erasures`, {}), 400, 'validation_error');
    expectEnvelope(await admin.post(`/workspaces/${ws}/erasures`, { userId: 'a', email: 'a@example.com' }), 400, 'validation_error');
    expectEnvelope(await admin.post(`/workspaces/${ws}/erasures`, { email: 'not an email' }), 400, 'validation_error');
    expectEnvelope(await admin.post(`/workspaces/${ws}/erasures`, { sessionId: 'ses_x' }), 400, 'validation_error');
    expectEnvelope(await admin.post(`/workspaces/${ws}/erasures`, { userId: `nobody-${randomUUID()}` }), 404, 'not_found', 'person_not_found');
    expectEnvelope(await admin.get(`/workspaces/${ws}/visitors/export?email=nobody@example.com`), 404, 'not_found', 'person_not_found');
    expectEnvelope(await admin.get(`/workspaces/${ws}/visitors/export`), 400, 'validation_error');
    expectEnvelope(await admin.get(`/workspaces/${ws}/erasures/era_01ARZ3NDEKTSV4RRFFQ69G5FAV`), 404, 'not_found', 'erasure_not_found');

    const other = await admin.post('/workspaces', { name: 'other' });
    const stranger = await visitor(`ext-${randomUUID()}`, `s-${randomUUID().slice(0, 6)}@example.com`, 'a stranger writes');
    expectEnvelope(await admin.post(`/workspaces/${other.body.id}/erasures`, { sessionId: stranger.sessionId }), 404, 'not_found', 'person_not_found');
    const after = await queryDatabase(stack.databaseUrl, `SELECT count(*)::int AS n FROM session.erasures`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('exports one JSON document with every part, then erases across every service — one down until it comes back — and the other visitor keeps everything', async () => {
    const externalId = `ext-${randomUUID()}`;
    const email = `erase-${randomUUID().slice(0, 8)}@example.com`;
    const gone = await visitor(externalId, email, 'Please forget order 4411');
    const kept = await visitor(`ext-${randomUUID()}`, `keep-${randomUUID().slice(0, 8)}@example.com`, 'Keep order 5522');

    // Its webhook deliveries are written from the stream of domain events: the export waits for them.
    const deliveriesOf = async (sessionIds: string[]) =>
      (await queryDatabase(stack.databaseUrl, `SELECT count(*)::int AS n FROM integrations.webhook_deliveries WHERE session_id = ANY($1::text[])`, [sessionIds]))[0].n as number;
    for (let i = 0; i < 300 && (await deliveriesOf([gone.sessionId, gone.anonSessionId])) < 3; i++) await sleep(100);
    const exported = await fetch(`${stack.baseUrl}/admin/v1/workspaces/${widget.workspaceId}/visitors/export?userId=${encodeURIComponent(externalId)}`, {
      headers: { authorization: `Bearer ${stack.adminKey}` },
    });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment/);
    const document = JSON.parse(await exported.text());
    expect(Object.keys(document.parts)).toEqual(['session', 'conversation', 'knowledge', 'forms', 'events', 'integrations']);
    expect(document.person.sessionIds).toEqual(expect.arrayContaining([gone.sessionId, gone.anonSessionId]));
    const text = JSON.stringify(document);
    expect(text).toContain(externalId);
    expect(text).toContain(email);
    expect(text).toContain('Please forget order 4411');
    expect(text).not.toContain('Keep order 5522');
    const deliveries = document.parts.integrations.flatMap((page: { webhook_deliveries?: { body: { type: string } }[] }) => page.webhook_deliveries ?? []);
    expect(deliveries.length).toBeGreaterThanOrEqual(3);
    expect(deliveries.map((d: { body: { type: string } }) => d.body.type)).toContain('message.created');

    const socket = await openSocket(stack.baseUrl, { token: (await widget.api.post('/sessions/realtime-token', {}, { token: gone.token })).body.token });
    const closed = nextDisconnect(socket, 30_000);

    const forms = stack.apps.find((a) => a.name === 'forms')!;
    await forms.stop();
    const requested = await admin.post(`/workspaces/${widget.workspaceId}/erasures`, { userId: externalId });
    expect(requested.status).toBe(202);
    expect(requested.body.erasure).toMatchObject({ id: expect.stringMatching(/^era_/), status: 'pending', selector: 'userId' });
    const erasureId = requested.body.erasure.id;

    // Everything but the stopped service finishes; that part stays pending, retried.
    const partial = await settled(erasureId, 8_000);
    expect(partial.status).toBe('pending');
    expect(partial.parts.forms.status).toBe('pending');
    expect(partial.parts.forms.attempts).toBeGreaterThanOrEqual(1);
    expect(partial.parts.session.status).toBe('done');
    expect(await closed).toBe('io server disconnect');
    expectEnvelope(await widget.api.get('/conversations', { token: gone.token }), 401, 'invalid_token');

    stack.apps[stack.apps.indexOf(forms)] = await forms.restart();
    const done = await settled(erasureId);
    expect(done.status).toBe('done');
    for (const part of ['session', 'conversation', 'knowledge', 'forms', 'events', 'integrations']) expect(done.parts[part].status).toBe('done');
    expect(done.parts.session.erased['session.end_users']).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(done)).not.toContain(externalId);
    expect(JSON.stringify(done)).not.toContain(email);

    const ids = [gone.sessionId, gone.anonSessionId];
    const left = await queryDatabase(
      stack.databaseUrl,
      `SELECT (SELECT count(*)::int FROM session.sessions WHERE id = ANY($1::text[])) AS sessions,
              (SELECT count(*)::int FROM session.end_users WHERE external_id = $2) AS users,
              (SELECT count(*)::int FROM session.sessions WHERE id = ANY($3::text[])) AS kept_sessions`,
      [ids, externalId, [kept.sessionId, kept.anonSessionId]],
    );
    expect(left[0]).toEqual({ sessions: 0, users: 0, kept_sessions: 2 });
    // Every schema: nothing of the first person, everything of the second.
    const held = async (sessionIds: string[]) =>
      (
        await queryDatabase(
          stack.databaseUrl,
          `SELECT (SELECT count(*)::int FROM conversation.conversations WHERE session_id = ANY($1::text[])) AS conversations,
                  (SELECT count(*)::int FROM conversation.messages m JOIN conversation.conversations c ON c.id = m.conversation_id WHERE c.session_id = ANY($1::text[])) AS messages,
                  (SELECT count(*)::int FROM conversation.attachments WHERE uploader_session_id = ANY($1::text[])) AS attachments,
                  (SELECT count(*)::int FROM forms.submissions WHERE session_id = ANY($1::text[])) AS submissions,
                  (SELECT count(*)::int FROM events.events WHERE session_id = ANY($1::text[])) AS events,
                  (SELECT count(*)::int FROM integrations.webhook_deliveries WHERE session_id = ANY($1::text[])) AS deliveries`,
          [sessionIds],
        )
      )[0];
    expect(await held(ids)).toEqual({ conversations: 0, messages: 0, attachments: 0, submissions: 0, events: 0, deliveries: 0 });
    const keptHeld = await held([kept.sessionId, kept.anonSessionId]);
    // Two conversations: the chat and the ticket its form submission opened.
    expect(keptHeld).toEqual({ conversations: 2, messages: expect.any(Number), attachments: 1, submissions: 1, events: expect.any(Number), deliveries: expect.any(Number) });
    expect(keptHeld.deliveries).toBeGreaterThanOrEqual(3);
    expect(keptHeld.messages).toBeGreaterThanOrEqual(3);
    expect(keptHeld.events).toBeGreaterThanOrEqual(1);
    const keptThread = await widget.api.get(`/conversations/${kept.conversationId}/messages`, { token: kept.token });
    expect(keptThread.status).toBe(200);
    expect(keptThread.body.data.map((m: { text: string }) => m.text)).toContain('Keep order 5522');
    expectEnvelope(await admin.get(`/workspaces/${widget.workspaceId}/visitors/export?userId=${encodeURIComponent(externalId)}`), 404, 'not_found', 'person_not_found');

    // The audit log names the erasure, not the person.
    const log = await admin.get(`/workspaces/${widget.workspaceId}/audit-log?limit=100`);
    const entry = log.body.data.find((e: { targetId: string }) => e.targetId === erasureId);
    expect(entry).toMatchObject({ action: 'erasure.requested', targetType: 'erasure', actor: { kind: 'root' } });
    expect(JSON.stringify(log.body)).not.toContain(externalId);
  }, 90_000);

  it('finds a person by session id (an identified one: its user) and by email (a profile set before identify)', async () => {
    const externalId = `ext-${randomUUID()}`;
    const email = `by-${randomUUID().slice(0, 8)}@example.com`;
    const person = await visitor(externalId, email, 'find me');
    const bySession = await admin.get(`/workspaces/${widget.workspaceId}/visitors/export?sessionId=${person.anonSessionId}`);
    expect(bySession.status).toBe(200);
    expect(bySession.body.person.sessionIds).toEqual([person.anonSessionId]);

    const byIdentified = await admin.get(`/workspaces/${widget.workspaceId}/visitors/export?sessionId=${person.sessionId}`);
    expect(byIdentified.body.person.sessionIds).toEqual(expect.arrayContaining([person.sessionId, person.anonSessionId]));

    const anon = await widget.api.post('/sessions/anonymous', { workspaceId: widget.workspaceId, widgetId: widget.widgetId });
    const profileEmail = `profile-${randomUUID().slice(0, 8)}@example.com`;
    await widget.api.patch('/sessions/current', { user: { email: profileEmail } }, { token: anon.body.token });
    const byEmail = await admin.get(`/workspaces/${widget.workspaceId}/visitors/export?email=${encodeURIComponent(profileEmail.toUpperCase())}`);
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.person.sessionIds).toEqual([anon.body.session.id]);
    const erased = await admin.post(`/workspaces/${widget.workspaceId}/erasures`, { email: profileEmail });
    expect((await settled(erased.body.erasure.id)).status).toBe('done');
    expectEnvelope(await widget.api.get('/conversations', { token: anon.body.token }), 401, 'invalid_token');
  });

  it('retention settings: set, merged, removed with null; bad values refused and nothing changed', async () => {
    const ws = widget.workspaceId;
    const set = await admin.patch(`/workspaces/${ws}`, { retention: { conversationDays: 30, eventDays: 90 } });
    expect(set.status).toBe(200);
    expect(set.body.retention).toEqual({ conversationDays: 30, eventDays: 90 });
    expect((await admin.patch(`/workspaces/${ws}`, { retention: { attachmentDays: 7, eventDays: null } })).body.retention).toEqual({ conversationDays: 30, attachmentDays: 7 });
    for (const bad of [{ retention: { eventDays: -1 } }, { retention: { eventDays: 0 } }, { retention: { eventDays: 1.5 } }, { retention: { days: 3 } }, { retention: 'forever' }, { name: '' }]) {
      expectEnvelope(await admin.patch(`/workspaces/${ws}`, bad), 400, 'validation_error');
    }
    expectEnvelope(await admin.patch('/workspaces/ws_01ARZ3NDEKTSV4RRFFQ69G5FAV', { retention: { eventDays: 3 } }), 404, 'not_found', 'workspace_not_found');
    expect((await admin.patch(`/workspaces/${ws}`, {})).body.retention).toEqual({ conversationDays: 30, attachmentDays: 7 });
    await admin.patch(`/workspaces/${ws}`, { retention: { conversationDays: null, attachmentDays: null } });
  });
});
