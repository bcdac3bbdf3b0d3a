import { createServer, Server } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import fc from 'fast-check';
import { Client } from 'pg';
import { AdminApi, createTestWidget, Stack, startAnonymous, startStack, TEST_ORIGIN } from '@widget/testing';

/**
 * Property-based fuzzing of every route over HTTP against a stack of its own
 * (so the database fingerprint sees only this file's requests). Each request
 * must come back below 500; every refusal must be the SPEC §3 envelope with
 * X-Request-Id, and must leave the database exactly as it was.
 *
 * `npm test` runs FUZZ_RUNS (default 25) cases per route; `npm run test:fuzz`
 * raises it (FUZZ_RUNS=1000 by default there).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
jest.setTimeout(Math.max(120_000, RUNS * 40 * 60));

type Target = 'widget' | 'admin';
interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  target: Target;
  /** `:x` segments are filled with a real id or a fuzzed one. */
  path: string;
  /** A valid body to mutate, when the route takes one. */
  body?: () => Record<string, unknown>;
  query?: () => Record<string, string>;
  /** A route the valid session token must not reach (it would end the session every later case uses). */
  noValidToken?: boolean;
}

interface Ids {
  ws: string;
  wgt: string;
  conv: string;
  art: string;
  col: string;
  frm: string;
  msg: string;
  adminWs: string;
  adminWgt: string;
  adminConv: string;
  whk: string;
  dlv: string;
  crp: string;
}

const routes = (ids: Ids): Route[] => [
  { method: 'GET', target: 'widget', path: '/config', query: () => ({ workspace_id: ids.ws, widget_id: ids.wgt }) },
  { method: 'POST', target: 'widget', path: '/sessions/anonymous', body: () => ({ workspaceId: ids.ws, widgetId: ids.wgt, locale: 'en' }) },
  { method: 'POST', target: 'widget', path: '/sessions/identify', body: () => ({ token: 'eyJhbGciOiJIUzI1NiJ9.e30.x', workspaceId: ids.ws, widgetId: ids.wgt }) },
  { method: 'POST', target: 'widget', path: '/sessions/refresh' },
  { method: 'POST', target: 'widget', path: '/sessions/shutdown', noValidToken: true },
  { method: 'POST', target: 'widget', path: '/sessions/realtime-token' },
  { method: 'GET', target: 'widget', path: '/conversations', query: () => ({ limit: '5' }) },
  { method: 'POST', target: 'widget', path: '/conversations', body: () => ({ subject: 'Hi', message: 'hello', clientMessageId: 'cm1', tags: ['a'], metadata: { a: 1 } }) },
  { method: 'GET', target: 'widget', path: '/conversations/:conv' },
  { method: 'POST', target: 'widget', path: '/conversations/:conv/read', body: () => ({ lastReadMessageId: ids.msg }) },
  { method: 'GET', target: 'widget', path: '/conversations/:conv/messages', query: () => ({ limit: '5', after: ids.msg }) },
  { method: 'POST', target: 'widget', path: '/conversations/:conv/messages', body: () => ({ text: 'hi', clientMessageId: 'c1' }) },
  { method: 'POST', target: 'widget', path: '/events', body: () => ({ events: [{ id: 'e1', type: 'page_view', properties: { a: 1 } }] }) },
  { method: 'GET', target: 'widget', path: '/articles/search', query: () => ({ q: 'reset', limit: '3', locale: 'en' }) },
  { method: 'GET', target: 'widget', path: '/articles/:art' },
  { method: 'POST', target: 'widget', path: '/ai/answer', body: () => ({ question: 'How do I reset?', locale: 'en' }) },
  { method: 'GET', target: 'widget', path: '/forms' },
  { method: 'GET', target: 'widget', path: '/forms/:frm' },
  { method: 'POST', target: 'widget', path: '/forms/:frm/submissions', body: () => ({ values: { email: 'a@b.example' }, clientSubmissionId: 's1' }) },
  { method: 'POST', target: 'admin', path: '/workspaces', body: () => ({ name: 'fuzz' }) },
  { method: 'POST', target: 'admin', path: '/workspaces/:adminWs/widgets', body: () => ({ name: 'w', allowedOrigins: [TEST_ORIGIN] }) },
  { method: 'GET', target: 'admin', path: '/widgets/:adminWgt' },
  { method: 'PATCH', target: 'admin', path: '/widgets/:adminWgt', body: () => ({ name: 'renamed', enabled: true }) },
  { method: 'POST', target: 'admin', path: '/widgets/:adminWgt/rotate-secret' },
  { method: 'GET', target: 'admin', path: '/workspaces/:adminWs/conversations', query: () => ({ status: 'open', limit: '5' }) },
  { method: 'POST', target: 'admin', path: '/conversations/:adminConv/messages', body: () => ({ text: 'agent says', author: { id: 'op1', name: 'Op' } }) },
  { method: 'PATCH', target: 'admin', path: '/conversations/:adminConv', body: () => ({ status: 'open', assignee: { id: 'op1' } }) },
  { method: 'POST', target: 'admin', path: '/conversations/:adminConv/typing', body: () => ({ typing: true, author: { id: 'op1' } }) },
  { method: 'GET', target: 'admin', path: '/workspaces/:adminWs/events/counts', query: () => ({ from: '2026-01-01', to: '2026-01-31', type: 'page_view' }) },
  { method: 'POST', target: 'admin', path: '/workspaces/:adminWs/collections', body: () => ({ name: 'c' }) },
  { method: 'GET', target: 'admin', path: '/workspaces/:adminWs/collections', query: () => ({ limit: '5' }) },
  { method: 'POST', target: 'admin', path: '/workspaces/:adminWs/articles', body: () => ({ title: 't', body: '<p>b</p>', status: 'draft', locale: 'en' }) },
  { method: 'GET', target: 'admin', path: '/workspaces/:adminWs/articles', query: () => ({ status: 'published', limit: '5' }) },
  { method: 'GET', target: 'admin', path: '/articles/:art' },
  { method: 'PATCH', target: 'admin', path: '/articles/:art', body: () => ({ title: 'Reset your password' }) },
  { method: 'POST', target: 'admin', path: '/workspaces/:adminWs/forms', body: () => ({ name: 'f', fields: [{ key: 'email', type: 'email', label: 'Email', required: true }] }) },
  { method: 'GET', target: 'admin', path: '/forms/:frm' },
  { method: 'PATCH', target: 'admin', path: '/forms/:frm', body: () => ({ name: 'Contact' }) },
  // Added with issues 21, 22 and SPEC §14-§16. Each DELETE comes after the other routes of its resource: an
  // accepted one removes the seeded row, and the routes after it would only ever see 404.
  { method: 'GET', target: 'admin', path: '/workspaces/:adminWs/conversations/counts', query: () => ({ status: 'open' }) },
  { method: 'GET', target: 'admin', path: '/workspaces/:adminWs/widgets' },
  { method: 'PUT', target: 'admin', path: '/workspaces/:adminWs/notifications', body: () => ({ newConversationEmail: true }) },
  { method: 'POST', target: 'admin', path: '/auth/accept-invite', body: () => ({ inviteToken: 'inv_' + 'a'.repeat(40), password: 'correct horse battery', name: 'Ann' }) },
  { method: 'POST', target: 'widget', path: '/conversations/:conv/transcript' },
  { method: 'GET', target: 'widget', path: '/email/unsubscribe', query: () => ({ token: 'abcdefghijklmnopqrstuvwxyz234567' }) },
  { method: 'POST', target: 'admin', path: '/workspaces/:adminWs/webhooks', body: () => ({ url: webhookReceiverUrl, events: ['form.submitted'], description: 'fuzz' }) },
  { method: 'GET', target: 'admin', path: '/workspaces/:adminWs/webhooks' },
  { method: 'GET', target: 'admin', path: '/workspaces/:adminWs/webhooks/:whk' },
  { method: 'PATCH', target: 'admin', path: '/workspaces/:adminWs/webhooks/:whk', body: () => ({ url: webhookReceiverUrl, events: ['form.submitted'], description: 'renamed', enabled: true }) },
  { method: 'POST', target: 'admin', path: '/workspaces/:adminWs/webhooks/:whk/test' },
  { method: 'GET', target: 'admin', path: '/workspaces/:adminWs/webhooks/:whk/deliveries', query: () => ({ limit: '5' }) },
  { method: 'POST', target: 'admin', path: '/workspaces/:adminWs/webhooks/deliveries/:dlv/retry' },
  { method: 'DELETE', target: 'admin', path: '/workspaces/:adminWs/webhooks/:whk' },
  { method: 'GET', target: 'admin', path: '/workspaces/:adminWs/canned-replies', query: () => ({ q: 'he', limit: '5' }) },
  { method: 'POST', target: 'admin', path: '/workspaces/:adminWs/canned-replies', body: () => ({ shortcut: 'thanks', text: 'Thank you!' }) },
  { method: 'PATCH', target: 'admin', path: '/workspaces/:adminWs/canned-replies/:crp', body: () => ({ shortcut: 'hello', text: 'Hello there' }) },
  { method: 'DELETE', target: 'admin', path: '/workspaces/:adminWs/canned-replies/:crp' },
];
const ROUTE_COUNT = 56;

/** The webhooks' endpoint: a receiver of this file's that takes every delivery (set in beforeAll). */
let webhookReceiverUrl = '';

// ---- Arbitraries: the classes of bad input seen in the wild ----

const nasty = fc.constantFrom(
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '%00',
  '%',
  '%zz',
  '%E0%A4%A',
  '<img src=x onerror=alert(1)>',
  "' OR 1=1 --",
  '../../etc/passwd',
  '\u202e\u2066',
  '🙂'.repeat(50),
  'x'.repeat(5000),
  '',
  ' ',
  'null',
  '[]',
  '{}',
  '-1',
  '1e309',
  'ws_01HZZZZZZZZZZZZZZZZZZZZZZZ',
);
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 40 }), nasty);
const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(1e308), fc.constant(-0));
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(text, tie('v'), { maxKeys: 4 })),
})).v;

type BodyCase =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; contentType?: string }
  | { kind: 'raw'; raw: string; contentType?: string };

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  '',
  undefined,
);

function bodyCase(route: Route): fc.Arbitrary<BodyCase> {
  const mutated = route.body
    ? fc
        .tuple(fc.constantFrom(...Object.keys(route.body()), '__extra'), fc.oneof(value, fc.constant(undefined)))
        .map(([key, v]) => {
          const body = route.body!();
          if (v === undefined) delete body[key];
          else body[key] = v;
          return { kind: 'json' as const, value: body };
        })
    : fc.constant<BodyCase>({ kind: 'none' });
  return fc.oneof(
    { weight: 4, arbitrary: mutated },
    { weight: 2, arbitrary: value.map((v) => ({ kind: 'json' as const, value: v })) },
    { weight: 2, arbitrary: fc.tuple(fc.oneof(text, fc.json()), contentType).map(([raw, ct]) => ({ kind: 'raw' as const, raw, contentType: ct })) },
    { weight: 1, arbitrary: fc.constant<BodyCase>({ kind: 'none' }) },
  );
}

/** A path segment: the real id, an id of another kind, or raw bytes (percent-encoded or deliberately not). */
const segment = (real: string) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(real) },
    { weight: 1, arbitrary: fc.constantFrom('ws_01HZZZZZZZZZZZZZZZZZZZZZZZ', 'conv_01HZZZZZZZZZZZZZZZZZZZZZZZ', real.toLowerCase(), `${real}x`, 'x'.repeat(3000)) },
    { weight: 2, arbitrary: text.map((t) => encodeURIComponent(t.replace(/[\ud800-\udfff]/g, 'x')) || 'x') },
    { weight: 2, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%C0%AF', '..', '%2e%2e', '%ff') },
  );

/** Query: the valid one, with a key changed, dropped or added, sometimes with raw (unencoded or broken) escapes. */
function queryCase(route: Route): fc.Arbitrary<string> {
  const base = route.query?.() ?? {};
  const keys = [...Object.keys(base), 'cursor', 'limit', '__extra'];
  return fc
    .tuple(fc.constantFrom(...keys), fc.oneof(text.map((t) => encodeURIComponent(t.replace(/[\ud800-\udfff]/g, '\u0000'))), fc.constantFrom('%', '%zz', '%00', '%E0%A4%A', '', '%ff%fe')), fc.boolean(), fc.boolean())
    .map(([key, raw, drop, asArray]) => {
      const pairs = Object.entries(base)
        .filter(([k]) => !(drop && k === key))
        .map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
      if (!drop) pairs.push(asArray ? `${key}[]=${raw}&${key}[]=1` : `${key}=${raw}`);
      return pairs.length ? `?${pairs.join('&')}` : '';
    });
}

const ASYNC_ROWS: Record<string, string> = {
  'events.events': `WHERE source = 'client'`,
  'events.event_ids': `WHERE NOT EXISTS (SELECT 1 FROM events.events e WHERE e.source = 'system' AND e.workspace_id = x.workspace_id AND e.event_id = x.event_id)`,
  // Deliveries of domain events are written by the JetStream consumer after an accepted request's reply; only a
  // test delivery (no event_key) is written by the request itself (POST …/webhooks/:id/test).
  'integrations.webhook_deliveries': `WHERE event_key IS NULL`,
  // Mail about events (unread, new_conversation) is queued by the consumer or the mail worker, webhook_disabled
  // by the delivery worker; a transcript or an invitation is queued by its request.
  'integrations.mail_queue': `WHERE kind IN ('transcript', 'invitation')`,
};

/**
 * Columns background workers change on their own, left out of a table's hash (`expires_at` everywhere: a
 * session's expiry slides when a valid token is merely seen).
 * - webhooks.busy_until: the delivery worker's lease on an endpoint while it delivers. (Its auto-disable after
 *   failures, enabled/disabled_at/disabled_reason/updated_at, stays checked: the receiver here answers 204, so
 *   it never happens.)
 * - webhook_deliveries: the delivery worker's bookkeeping of attempts (a retry's 202 sets them pending, and
 *   `rearmed` when an attempt is in flight; the worker then sends it and clears `rearmed`).
 * - mail_queue: the mail worker's bookkeeping of sending.
 */
const WORKER_COLUMNS: Record<string, string[]> = {
  'integrations.webhooks': ['busy_until'],
  'integrations.webhook_deliveries': ['status', 'attempts', 'last_status', 'last_error', 'first_attempt_at', 'next_attempt_at', 'delivered_at', 'rearmed'],
  'integrations.mail_queue': ['status', 'attempts', 'next_attempt_at', 'locked_until', 'last_error', 'sent_at'],
};
const rowJson = (t: string) => `(to_jsonb(x) - ${`ARRAY[${['expires_at', ...(WORKER_COLUMNS[t] ?? [])].map((c) => `'${c}'`).join(', ')}]::text[]`})::text`;

interface Outcome {
  status: number;
  requestId: string | null;
  body: any;
  text: string;
}

describe('fuzz: no 5xx, the envelope on every refusal, and a refusal changes nothing', () => {
  let stack: Stack;
  let db: Client;
  let fingerprintSql: string;
  let ids: Ids;
  let token: string;
  let otherToken: string;
  let receiver: Server;
  const tally = { requests: 0, byStatus: {} as Record<string, number>, refused: 0, dbChecks: 0 };

  beforeAll(async () => {
    // The session service's maintenance purges expired tokens every 10 minutes by default: a long run
    // (npm run test:fuzz) would see that purge as a refused request's change. It is tested on its own.
    stack = await startStack({ realtime: false, env: { LOG_LEVEL: 'warn', SESSION_MAINTENANCE_INTERVAL_MS: '86400000' } });
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    webhookReceiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    const widget = await createTestWidget(stack);
    const adminWidget = await createTestWidget(stack);
    const admin = new AdminApi(stack.baseUrl, stack.adminKey);
    const session = await startAnonymous(widget);
    token = session.token;
    otherToken = (await startAnonymous(widget)).token;
    const conv = await widget.api.post('/conversations', { message: 'first', clientMessageId: 'first' }, { token });
    const adminSession = await startAnonymous(adminWidget);
    const adminConv = await adminWidget.api.post('/conversations', { message: 'first', clientMessageId: 'first' }, { token: adminSession.token });
    const col = await admin.post(`/workspaces/${widget.workspaceId}/collections`, { name: 'Help' });
    const art = await admin.post(`/workspaces/${widget.workspaceId}/articles`, { title: 'Reset', body: '<p>reset</p>', status: 'published', collectionId: col.body.id });
    const frm = await admin.post(`/workspaces/${widget.workspaceId}/forms`, { name: 'Contact', fields: [{ key: 'email', type: 'email', label: 'Email', required: true }] });
    const whk = await admin.post(`/workspaces/${adminWidget.workspaceId}/webhooks`, { url: webhookReceiverUrl, events: ['form.submitted'] });
    const dlv = await admin.post(`/workspaces/${adminWidget.workspaceId}/webhooks/${whk.body.webhook.id}/test`);
    const crp = await admin.post(`/workspaces/${adminWidget.workspaceId}/canned-replies`, { shortcut: 'hello', text: 'Hello!' });
    const messages = await widget.api.get(`/conversations/${conv.body.id}/messages`, { token });
    ids = {
      ws: widget.workspaceId,
      wgt: widget.widgetId,
      conv: conv.body.id,
      art: art.body.id,
      col: col.body.id,
      frm: frm.body.id,
      msg: messages.body.data?.[0]?.id ?? 'msg_01HZZZZZZZZZZZZZZZZZZZZZZZ',
      adminWs: adminWidget.workspaceId,
      adminWgt: adminWidget.widgetId,
      adminConv: adminConv.body.id,
      whk: whk.body.webhook.id,
      dlv: dlv.body.id,
      crp: crp.body.id,
    };
    for (const [name, id] of Object.entries(ids)) expect(`${name}=${id}`).toMatch(/=[a-z]+_[0-9A-Z]{26}$/);

    // One query: every table of every service schema, hashed. Left out, because they change after an accepted
    // request's reply by design: the outbox, the system events it feeds (and their ids), a session's expiry,
    // which slides when a valid token is merely seen, and what the integrations service's workers write on their
    // own (ASYNC_ROWS, WORKER_COLUMNS, and two whole tables: consumed_events, the JetStream consumer's record of
    // handled events, pruned by age; email_bursts, the unread-reply mail's state, written by the consumer on every
    // agent message and by the mail worker when a burst is due).
    const tables = await db.query<{ t: string }>(`
      SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname IN ('session', 'team', 'conversation', 'knowledge', 'forms', 'events', 'integrations')
        AND c.relname NOT IN ('outbox', 'consumed_events', 'email_bursts') AND c.relname NOT LIKE '%migrations%' ORDER BY 1`);
    expect(tables.rows.length).toBeGreaterThanOrEqual(10);
    expect(tables.rows.map(({ t }) => t)).toEqual(expect.arrayContaining(['integrations.webhooks', 'integrations.webhook_deliveries', 'integrations.mail_queue', 'integrations.email_unsubscribes']));
    fingerprintSql = `SELECT md5(string_agg(h, ',' ORDER BY h)) AS f FROM (${tables.rows
      .map(({ t }) => `SELECT '${t}:' || count(*) || ':' || coalesce(md5(string_agg(${rowJson(t)}, '' ORDER BY ${rowJson(t)})), '') AS h FROM ${t} x ${ASYNC_ROWS[t] ?? ''}`)
      .join(' UNION ALL ')}) s`;
  });

  afterAll(async () => {
    // The figures for the report: how many requests, and what came back.
    console.log(`fuzz: ${tally.requests} requests, ${tally.refused} refused (each checked against the database: ${tally.dbChecks}), by status ${JSON.stringify(tally.byStatus)}`);
    await db?.end();
    await stack?.stop();
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  });

  const fingerprint = async () => (await db.query<{ f: string }>(fingerprintSql)).rows[0].f;

  async function send(route: Route, path: string, query: string, body: BodyCase, tokenChoice: string, origin: string | null): Promise<Outcome> {
    const base = route.target === 'widget' ? `${stack.baseUrl}/widget/v1` : `${stack.baseUrl}/admin/v1`;
    const headers: Record<string, string> = {};
    const auth = route.target === 'admin' ? (tokenChoice === 'valid' ? stack.adminKey : tokenChoice) : tokenChoice === 'valid' ? token : tokenChoice === 'other' ? otherToken : tokenChoice;
    if (auth) headers.authorization = `Bearer ${auth}`;
    if (origin) headers.origin = origin;
    let payload: string | undefined;
    if (body.kind === 'json') payload = JSON.stringify(body.value) ?? 'null';
    if (body.kind === 'raw') payload = body.raw;
    const ct = body.kind === 'none' ? undefined : 'contentType' in body ? body.contentType : 'application/json';
    if (ct !== undefined) headers['content-type'] = ct;
    const init: RequestInit = { method: route.method, headers, body: route.method === 'GET' ? undefined : payload };
    // fetch adds text/plain for a string body without one; a Blob without a type sends none, as curl --data-binary might.
    if (init.body !== undefined && ct === undefined) init.body = new Blob([payload!]);
    const res = await fetch(`${base}${path}${query}`, init);
    const textBody = await res.text();
    let parsed: any;
    try {
      parsed = JSON.parse(textBody);
    } catch {
      parsed = undefined;
    }
    tally.requests++;
    tally.byStatus[res.status] = (tally.byStatus[res.status] ?? 0) + 1;
    return { status: res.status, requestId: res.headers.get('x-request-id'), body: parsed, text: textBody };
  }

  function expectEnvelope(outcome: Outcome, label: string) {
    const problem = `${label} → ${outcome.status} ${outcome.text.slice(0, 300)}`;
    expect({ problem, ok: outcome.status < 500 }).toEqual({ problem, ok: true });
    expect(outcome.requestId).toMatch(/^req_[0-9A-Z]{26}$/);
    if (outcome.status < 400) return;
    expect({ problem, keys: outcome.body && Object.keys(outcome.body) }).toEqual({ problem, keys: ['error'] });
    expect(outcome.body.error.requestId).toBe(outcome.requestId);
    expect(typeof outcome.body.error.code).toBe('string');
    expect(typeof outcome.body.error.message).toBe('string');
    expect(typeof outcome.body.error.recoverable).toBe('boolean');
    expect(outcome.text).not.toMatch(/at .+\.js:\d+|SELECT |INSERT |QueryFailedError/);
  }

  it.each(Array.from({ length: ROUTE_COUNT }, (_, i) => i))('route #%i', async (index) => {
    const route = routes(ids)[index];
    const tokenArb = route.noValidToken
      ? fc.constantFrom('', 'garbage', 'wst_' + 'a'.repeat(43), '\u00ff')
      : fc.oneof({ weight: 4, arbitrary: fc.constant('valid') }, { weight: 1, arbitrary: fc.constantFrom('', 'garbage', 'other', 'wst_' + 'a'.repeat(43)) });
    const originArb = fc.oneof({ weight: 5, arbitrary: fc.constant<string | null>(TEST_ORIGIN) }, { weight: 1, arbitrary: fc.constantFrom<string | null>(null, 'https://evil.example', 'null', 'not a url') });
    const pathArb = fc
      .tuple(...route.path.split('/').map((part) => (part.startsWith(':') ? segment(ids[part.slice(1) as keyof Ids]) : fc.constant(part))))
      .map((parts) => parts.join('/'));
    await fc.assert(
      fc.asyncProperty(pathArb, queryCase(route), bodyCase(route), tokenArb, originArb, async (path, query, body, tokenChoice, origin) => {
        const before = await fingerprint();
        const outcome = await send(route, path, query, body, tokenChoice, origin);
        const label = `${route.method} ${path}${query} body=${JSON.stringify(body).slice(0, 200)} → ${outcome.status} ${outcome.body?.error?.reason ?? ''}`;
        expectEnvelope(outcome, label);
        if (outcome.status >= 400) {
          tally.refused++;
          tally.dbChecks++;
          const after = await fingerprint();
          expect({ label, changed: after !== before }).toEqual({ label, changed: false });
        }
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  });

  it('covers every route of the gateway', () => {
    expect(routes(ids)).toHaveLength(56);
  });

  it('raw HTTP that is not a request, or headers too large, still gets the envelope and Connection: close', async () => {
    const rawCase = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }).map((s) => `${s}\r\n\r\n`),
      fc.constantFrom(
        'GET / HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n',
        'GET / HTTP/9.9\r\n\r\n',
        `GET /widget/v1/config HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
        'POST /widget/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        'POST /widget/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      ),
    );
    await fc.assert(
      fc.asyncProperty(rawCase, async (raw) => {
        const reply = await new Promise<string>((resolve) => {
          const socket = connect(stack.gateway.port, '127.0.0.1');
          let out = '';
          socket.on('data', (d) => (out += d.toString('latin1')));
          socket.on('close', () => resolve(out));
          socket.on('error', () => undefined);
          socket.end(Buffer.from(raw, 'utf8'));
        });
        tally.requests++;
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);
        tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
        if (status === 0) return; // the client half-closed before a request line: nothing to answer
        expect(status).toBeLessThan(500);
        if (status >= 400) {
          const [head, body] = reply.split('\r\n\r\n');
          expect(head).toMatch(/\r\nX-Request-Id: req_[0-9A-Z]{26}/i);
          expect(head).toMatch(/\r\nConnection: close/i);
          expect(JSON.parse(body).error.requestId).toMatch(/^req_/);
        }
      }),
      { numRuns: Math.max(20, Math.round(RUNS / 2)) },
    );
  });
});
