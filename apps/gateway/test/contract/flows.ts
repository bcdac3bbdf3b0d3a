// Over 400 lines: one flow per API written as a client would, each step beside the next; split, the steps would
// need their helpers exported and the order of the shared workspace's story would be spread over files.
/**
 * A visitor flow and an operator flow written as any client would: against
 * the types openapi-typescript generates from the served OpenAPI documents,
 * through openapi-fetch, and nothing else of this project. The contract spec
 * (../openapi-client.e2e-spec.ts) generates ./generated/{widget,admin}.ts,
 * type-checks this file with `tsc --strict` (a reply field the document does
 * not describe is a type error here), then runs both flows against the stack
 * with a middleware that validates every reply against the document.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths as AdminPaths } from './generated/admin';
import type { paths as WidgetPaths } from './generated/widget';

export interface FlowContext {
  baseUrl: string;
  /** An origin the widget allows (mutating widget requests need it). */
  origin: string;
  adminKey: string;
  /** Validates each reply against the document (the spec's). */
  check: Middleware;
  /** An identity JWT for the widget, as the site's backend signs it. */
  signIdentity(widget: { workspaceId: string; widgetId: string; secret: string }, sub: string): Promise<string>;
}

interface Result<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

/** The reply's data, once the status is the expected one. */
async function ok<D>(call: Promise<Result<D>>, status: number): Promise<D> {
  const { data, error, response } = await call;
  assert.equal(response.status, status, `${response.url} → ${response.status} ${JSON.stringify(error)}`);
  assert.ok(data !== undefined, `${response.url}: no data`);
  return data;
}

/** A reply without a body (204), or an error reply: its status, and the error as the document types it. */
async function answered<E>(call: Promise<{ error?: E; response: Response }>, status: number): Promise<E | undefined> {
  const { error, response } = await call;
  assert.equal(response.status, status, `${response.url} → ${response.status} ${JSON.stringify(error)}`);
  return error;
}

/** Deep equality by JSON (node's deepStrictEqual compares prototypes, which differ across Jest's realms). */
const same = (actual: unknown, expected: unknown) => assert.equal(JSON.stringify(actual), JSON.stringify(expected));

/** An upload's body: the document types the part `file` as a string (binary); sent as a file of that text. */
const asFile = (name: string) => (body: { file: string }) => {
  const form = new FormData();
  form.append('file', new Blob([body.file], { type: 'text/plain' }), name);
  return form;
};

/** A signed link's query, from an attachment's `url`. */
function linkOf(url: string) {
  const query = new URL(url, 'http://link').searchParams;
  return { expires: Number(query.get('expires')), sig: query.get('sig') ?? '' };
}

const bearer = (token: string | undefined) => (token ? { authorization: `Bearer ${token}` } : {});

function widgetApi(ctx: FlowContext, token?: string) {
  const client = createClient<WidgetPaths>({ baseUrl: `${ctx.baseUrl}/widget/v1`, headers: { origin: ctx.origin, ...bearer(token) } });
  client.use(ctx.check);
  return client;
}

function adminApi(ctx: FlowContext, token: string | undefined) {
  const client = createClient<AdminPaths>({ baseUrl: `${ctx.baseUrl}/admin/v1`, headers: bearer(token) });
  client.use(ctx.check);
  return client;
}

/** What the operator set up for the visitor. */
export interface Setup {
  workspaceId: string;
  widgetId: string;
  secret: string;
  articleId: string;
  formId: string;
}

/** The root key: a workspace, its widget, a collection and an article, synonyms, a form shown by the widget. */
export async function operatorSetup(ctx: FlowContext): Promise<Setup> {
  const root = adminApi(ctx, ctx.adminKey);
  const idempotency = { 'Idempotency-Key': `contract-${randomUUID()}` };
  const workspace = await ok(root.POST('/workspaces', { body: { name: 'Contract shop' }, params: { header: idempotency } }), 201);
  const again = await ok(root.POST('/workspaces', { body: { name: 'Contract shop' }, params: { header: idempotency } }), 201);
  assert.equal(again.id, workspace.id);
  const ws = { path: { ws: workspace.id } };

  const created = await ok(root.POST('/workspaces/{ws}/widgets', { params: ws, body: { name: 'Contract widget', allowedOrigins: [ctx.origin], features: { attachments: true }, ai: { minConfidence: 0.1 }, availability: { timezone: 'Europe/Paris', hours: [], replyTime: 'hours' } } }), 201);
  const widget = created.widget;
  assert.equal(widget.features.conversations, true);
  const fetched = await ok(root.GET('/widgets/{id}', { params: { path: { id: widget.id } } }), 200);
  same(fetched.allowedOrigins, [ctx.origin]);
  same((await ok(root.GET('/workspaces/{ws}/widgets', { params: ws }), 200)).data.map((w) => w.id), [widget.id]);

  const collection = await ok(root.POST('/workspaces/{ws}/collections', { params: ws, body: { name: 'Shipping' } }), 201);
  const article = await ok(
    root.POST('/workspaces/{ws}/articles', {
      params: ws,
      body: { title: 'Shipping times', body: '<p>Parcels ship within two working days and arrive within a week.</p>', collectionId: collection.id, status: 'draft' },
    }),
    201,
  );
  const published = await ok(root.PATCH('/articles/{id}', { params: { path: { id: article.id } }, body: { status: 'published' } }), 200);
  assert.ok(published.publishedAt !== null && published.publishedAt.length > 0);
  assert.equal((await ok(root.GET('/articles/{id}', { params: { path: { id: article.id } } }), 200)).status, 'published');
  const articles = await ok(root.GET('/workspaces/{ws}/articles', { params: { ...ws, query: { status: 'published' } } }), 200);
  same(
    articles.data.map((a) => a.id),
    [article.id],
  );
  const collections = await ok(root.GET('/workspaces/{ws}/collections', { params: ws }), 200);
  assert.equal(collections.data[0].name, 'Shipping');
  const synonyms = await ok(root.PUT('/workspaces/{ws}/synonyms', { params: ws, body: { groups: [['parcel', 'package']] } }), 200);
  same((await ok(root.GET('/workspaces/{ws}/synonyms', { params: ws }), 200)).groups, synonyms.groups);

  const form = await ok(
    root.POST('/workspaces/{ws}/forms', {
      params: ws,
      body: {
        name: 'Return request',
        fields: [
          { key: 'email', label: 'Email', type: 'email', required: true },
          { key: 'reason', label: 'Reason', type: 'select', options: ['Damaged', 'Wrong size'] },
        ],
      },
    }),
    201,
  );
  const changed = await ok(root.PATCH('/forms/{id}', { params: { path: { id: form.id } }, body: { description: 'We answer within a day.' } }), 200);
  assert.equal((await ok(root.GET('/forms/{id}', { params: { path: { id: form.id } } }), 200)).description, changed.description);
  const shown = await ok(root.PATCH('/widgets/{id}', { params: { path: { id: widget.id } }, body: { forms: { visibleFormIds: [form.id] } } }), 200);
  same(shown.forms.visibleFormIds, [form.id]);

  return { workspaceId: workspace.id, widgetId: widget.id, secret: created.secret, articleId: article.id, formId: form.id };
}

/** What the visitor left for the operator. */
export interface VisitorTrail {
  conversationId: string;
  userId: string;
  /** The anonymous session the visitor started with (merged into the user at identify). */
  sessionId: string;
}

/**
 * An anonymous session (201, then 200 resumed), the config, a conversation and messages (201, and 200 for a
 * retried clientMessageId), list, read, search, an article, an AI answer and its escalation, a form, events,
 * identify, refresh, a realtime token, a documented 404, and shutdown.
 */
export async function visitorFlow(ctx: FlowContext, setup: Setup): Promise<VisitorTrail> {
  const anonymous = widgetApi(ctx);
  const config = await ok(anonymous.GET('/config', { params: { query: { workspace_id: setup.workspaceId, widget_id: setup.widgetId } } }), 200);
  assert.equal(config.forms.visibleFormIds[0], setup.formId);
  assert.equal(config.ai.enabled && config.features.conversations, true);
  // No hours: always within them; nobody of the workspace is present (SPEC §15).
  same(config.availability, { online: false, nextOpenAt: null, replyTime: 'hours' });

  const start = { workspaceId: setup.workspaceId, widgetId: setup.widgetId, locale: 'en' };
  const started = await ok(anonymous.POST('/sessions/anonymous', { body: start }), 201);
  assert.equal(started.session.identityType, 'anonymous');
  assert.equal(started.session.user, null);
  const resumed = await ok(widgetApi(ctx, started.token).POST('/sessions/anonymous', { body: start }), 200);
  assert.equal(resumed.session.id, started.session.id);

  const visitor = widgetApi(ctx, started.token);
  const profile = await ok(visitor.PATCH('/sessions/current', { body: { user: { name: 'Ada', traits: { plan: 'pro' } } } }), 200);
  assert.equal(profile.session.visitor?.name, 'Ada');

  const clientMessageId = `cm-${randomUUID()}`;
  const opened = await ok(visitor.POST('/conversations', { body: { subject: 'Where is my parcel?', message: 'It has not arrived.', clientMessageId } }), 201);
  const reopened = await ok(visitor.POST('/conversations', { body: { subject: 'Where is my parcel?', message: 'It has not arrived.', clientMessageId } }), 200);
  assert.equal(reopened.id, opened.id);
  assert.equal(opened.lastMessage?.author.type, 'user');
  const conversation = { path: { id: opened.id } };

  const messageId = `cm-${randomUUID()}`;
  const sent = await ok(visitor.POST('/conversations/{id}/messages', { params: conversation, body: { text: 'Order 1042.', clientMessageId: messageId, metadata: { page: '/orders' } } }), 201);
  const resent = await ok(visitor.POST('/conversations/{id}/messages', { params: conversation, body: { text: 'Order 1042.', clientMessageId: messageId } }), 200);
  assert.equal(resent.id, sent.id);
  same(sent.attachments, []);

  const receipt = 'Order 1042: two parcels.';
  const uploaded = await ok(visitor.POST('/conversations/{id}/attachments', { params: conversation, body: { file: receipt }, bodySerializer: asFile('receipt.txt') }), 201);
  assert.equal(uploaded.contentType, 'text/plain');
  const withFile = await ok(visitor.POST('/conversations/{id}/messages', { params: conversation, body: { attachmentIds: [uploaded.id] } }), 201);
  const attached = withFile.attachments[0];
  assert.equal(attached.size, Buffer.byteLength(receipt));
  const bytes = await ok(visitor.GET('/attachments/{id}', { params: { path: { id: attached.id }, query: linkOf(attached.url) }, parseAs: 'text' }), 200);
  assert.equal(bytes, receipt);

  const list = await ok(visitor.GET('/conversations', { params: { query: { limit: 10 } } }), 200);
  same(
    list.data.map((c) => c.id),
    [opened.id],
  );
  assert.equal(list.nextCursor, null);
  const one = await ok(visitor.GET('/conversations/{id}', { params: conversation }), 200);
  assert.equal(one.subject, 'Where is my parcel?');
  const messages = await ok(visitor.GET('/conversations/{id}/messages', { params: { ...conversation, query: { limit: 50 } } }), 200);
  assert.equal(messages.data[1].text, 'Order 1042.');
  const read = await ok(visitor.POST('/conversations/{id}/read', { params: conversation, body: { lastReadMessageId: withFile.id } }), 200);
  assert.equal(read.unreadCount, 0);
  assert.equal(sent.channel, 'web');
  // Email (issue 22; this stack has no SMTP_URL: queued is all it says) and the link of a mail that was never sent.
  same(await ok(visitor.POST('/conversations/{id}/transcript', { params: conversation }), 202), { status: 'queued' });
  const unsubscribed = await answered(visitor.GET('/email/unsubscribe', { params: { query: { token: 'a'.repeat(32) } } }), 404);
  assert.equal(unsubscribed?.error.code, 'not_found');

  const hits = await ok(visitor.GET('/articles/search', { params: { query: { q: 'package shipping', limit: 5 } } }), 200);
  assert.equal(hits.data[0]?.id, setup.articleId);
  const article = await ok(visitor.GET('/articles/{id}', { params: { path: { id: setup.articleId } } }), 200);
  assert.match(article.body, /two working days/);

  const answer = await ok(visitor.POST('/ai/answer', { body: { question: 'How long does shipping take?', conversationId: opened.id } }), 200);
  const cited = answer.answer?.citations.map((c) => c.articleId) ?? answer.suggestions.map((s) => s.id);
  assert.ok(cited.includes(setup.articleId), `the answer names the article: ${JSON.stringify(answer)}`);
  const escalated = await ok(visitor.POST('/conversations/{id}/escalate', { params: conversation, body: { answerId: answer.id } }), 201);
  assert.equal(escalated.message?.author.type, 'system');
  const again = await ok(visitor.POST('/conversations/{id}/escalate', { params: conversation, body: { answerId: answer.id } }), 200);
  assert.equal(again.message?.id, escalated.message?.id);

  const forms = await ok(visitor.GET('/forms'), 200);
  assert.equal(forms.nextCursor, null);
  const form = await ok(visitor.GET('/forms/{id}', { params: { path: { id: forms.data[0].id } } }), 200);
  same(
    form.fields.map((f) => [f.key, f.required]),
    [
      ['email', true],
      ['reason', false],
    ],
  );
  const submission = { values: { email: 'ada@example.com', reason: form.fields[1].options?.[0] ?? '' }, clientSubmissionId: `sub-${randomUUID()}` };
  const submitted = await ok(visitor.POST('/forms/{id}/submissions', { params: { path: { id: form.id } }, body: submission }), 201);
  const resubmitted = await ok(visitor.POST('/forms/{id}/submissions', { params: { path: { id: form.id } }, body: submission }), 200);
  assert.equal(resubmitted.conversationId, submitted.conversationId);

  const events = await ok(
    visitor.POST('/events', { body: { events: [{ type: 'page.viewed', properties: { path: '/orders' } }, { type: 'widget.session_started', occurredAt: new Date().toISOString() }] } }),
    202,
  );
  same([events.accepted, events.rejected.map((r) => r.index)], [1, [1]]);

  const realtime = await ok(visitor.POST('/sessions/realtime-token'), 200);
  assert.ok(Date.parse(realtime.expiresAt) > Date.now());

  const missing = await answered(visitor.GET('/conversations/{id}', { params: { path: { id: 'conv_01ARZ3NDEKTSV4RRFFQ69G5FAV' } } }), 404);
  assert.equal(missing?.error.code, 'conversation_not_found');

  const identity = await ctx.signIdentity(setup, `ada-${randomUUID()}`);
  const identified = await ok(visitor.POST('/sessions/identify', { body: { token: identity } }), 200);
  assert.equal(identified.session.identityType, 'identified');
  const user = identified.session.user;
  assert.ok(user && user.verified);
  const member = widgetApi(ctx, identified.token);
  const refreshed = await ok(member.POST('/sessions/refresh'), 200);
  assert.equal(refreshed.session.id, identified.session.id);
  const theirs = await ok(member.GET('/conversations'), 200);
  assert.ok(theirs.data.some((c) => c.id === opened.id), 'the anonymous conversation went with the identify');
  await answered(widgetApi(ctx, refreshed.token).POST('/sessions/shutdown'), 204);
  return { conversationId: opened.id, userId: user.id, sessionId: started.session.id };
}

/**
 * Issue 21, the inbox for a team: the visitor's read position beside the conversation, an agent's internal
 * note in the thread, the views and their counts, canned replies (the root key manages, the agent searches).
 */
async function teamInboxSteps(ctx: FlowContext, setup: Setup, trail: VisitorTrail, agent: ReturnType<typeof adminApi>, agentId: string): Promise<void> {
  const root = adminApi(ctx, ctx.adminKey);
  const ws = { path: { ws: setup.workspaceId } };
  const conversation = { path: { id: trail.conversationId } };
  assert.match((await ok(agent.GET('/conversations/{id}', { params: conversation }), 200)).visitorLastReadMessageId ?? '', /^msg_/);
  const note = await ok(agent.POST('/conversations/{id}/messages', { params: conversation, body: { text: 'Internal: the parcel is in Lyon.', type: 'note' } }), 201);
  same(note.author.type, 'note');
  const thread = await ok(agent.GET('/conversations/{id}/messages', { params: { ...conversation, query: { limit: 1 } } }), 200);
  assert.equal(thread.data[0].id, note.id);
  await ok(root.PATCH('/conversations/{id}', { params: conversation, body: { assignee: { id: agentId, name: 'Alex Agent' } } }), 200);
  const mine = await ok(agent.GET('/workspaces/{ws}/conversations', { params: { ...ws, query: { view: 'mine' } } }), 200);
  same(
    mine.data.map((c) => c.id),
    [trail.conversationId],
  );
  const counts = await ok(agent.GET('/workspaces/{ws}/conversations/counts', { params: { ...ws, query: {} } }), 200);
  assert.equal(counts.mine, 1);
  assert.equal(counts.all, counts.mine + counts.unassigned);

  const created = await ok(
    root.POST('/workspaces/{ws}/canned-replies', {
      params: { ...ws, header: { 'Idempotency-Key': `canned-${randomUUID()}` } },
      body: { shortcut: 'shipping', text: 'Parcels ship within two working days.' },
    }),
    201,
  );
  const reply = { path: { ws: setup.workspaceId, id: created.id } };
  const changed = await ok(root.PATCH('/workspaces/{ws}/canned-replies/{id}', { params: reply, body: { text: 'Parcels ship within one working day.' } }), 200);
  assert.equal(changed.shortcut, 'shipping');
  const found = await ok(agent.GET('/workspaces/{ws}/canned-replies', { params: { ...ws, query: { q: 'ship' } } }), 200);
  same(
    found.data.map((r) => r.text),
    [changed.text],
  );
  await answered(root.DELETE('/workspaces/{ws}/canned-replies/{id}', { params: reply }), 204);
}

/**
 * SPEC §16: a webhook registered (its secret shown once), changed, tested, its delivery log read and the test
 * delivery retried, then deleted. The endpoint refuses connections: the delivery stays in its retries.
 */
async function webhookSteps(ctx: FlowContext, setup: Setup): Promise<void> {
  const root = adminApi(ctx, ctx.adminKey);
  const ws = { path: { ws: setup.workspaceId } };
  const body = { url: 'http://127.0.0.1:9/contract', events: ['message.created' as const, 'conversation.updated' as const] };
  const created = await ok(root.POST('/workspaces/{ws}/webhooks', { params: { ...ws, header: { 'Idempotency-Key': `hook-${randomUUID()}` } }, body }), 201);
  assert.match(created.secret, /^whsec_/);
  const hook = { path: { ws: setup.workspaceId, id: created.webhook.id } };
  assert.ok((await ok(root.GET('/workspaces/{ws}/webhooks', { params: ws }), 200)).data.some((w) => w.id === created.webhook.id));
  assert.equal((await ok(root.PATCH('/workspaces/{ws}/webhooks/{id}', { params: hook, body: { description: 'CRM' } }), 200)).description, 'CRM');
  assert.equal((await ok(root.GET('/workspaces/{ws}/webhooks/{id}', { params: hook }), 200)).enabled, true);
  const test = await ok(root.POST('/workspaces/{ws}/webhooks/{id}/test', { params: hook }), 202);
  const log = await ok(root.GET('/workspaces/{ws}/webhooks/{id}/deliveries', { params: { ...hook, query: { limit: 10 } } }), 200);
  assert.ok(log.data.some((d) => d.id === test.id && d.event === 'webhook.test'));
  const retried = await ok(root.POST('/workspaces/{ws}/webhooks/deliveries/{id}/retry', { params: { path: { ws: setup.workspaceId, id: test.id } } }), 202);
  assert.equal(retried.id, test.id);
  await answered(root.DELETE('/workspaces/{ws}/webhooks/{id}', { params: hook }), 204);
}

/**
 * The root key answers and triages the visitor's conversation, then an operator account is invited, accepts,
 * signs in and asks who it is; an API key too.
 */
export async function operatorFlow(ctx: FlowContext, setup: Setup, trail: VisitorTrail): Promise<void> {
  const root = adminApi(ctx, ctx.adminKey);
  const ws = { path: { ws: setup.workspaceId } };
  const inbox = await ok(root.GET('/workspaces/{ws}/conversations', { params: { ...ws, query: { status: 'open', limit: 20 } } }), 200);
  assert.ok(inbox.data.some((c) => c.id === trail.conversationId));
  const conversation = { path: { id: trail.conversationId } };
  const seen = await ok(root.GET('/conversations/{id}', { params: conversation }), 200);
  assert.equal(seen.visitor.user?.id, trail.userId);
  assert.equal(seen.visitor.identityType, 'identified');
  const thread = await ok(root.GET('/conversations/{id}/messages', { params: conversation }), 200);
  assert.ok(thread.data.some((m) => m.author.type === 'system'));

  const replyId = `reply-${randomUUID()}`;
  const reply = await ok(
    root.POST('/conversations/{id}/messages', {
      params: { ...conversation, header: { 'Idempotency-Key': replyId } },
      body: { text: 'It left our warehouse today.', author: { id: 'agent_1', name: 'Alex' }, clientMessageId: replyId },
    }),
    201,
  );
  same(reply.author, { type: 'agent', id: 'agent_1', name: 'Alex' });
  // The client's id of a staff message comes back on it (issue 21): the inbox settles its pending reply by it.
  assert.equal(reply.clientMessageId, replyId);
  const label = await ok(root.POST('/conversations/{id}/attachments', { params: conversation, body: { file: 'Return label' }, bodySerializer: asFile('label.txt') }), 201);
  const sentLabel = await ok(root.POST('/conversations/{id}/messages', { params: conversation, body: { attachmentIds: [label.id], author: { id: 'agent_1', name: 'Alex' } } }), 201);
  const labelBytes = await ok(
    root.GET('/workspaces/{ws}/attachments/{id}', { params: { path: { ws: setup.workspaceId, id: label.id }, query: linkOf(sentLabel.attachments[0].url) }, parseAs: 'text' }),
    200,
  );
  assert.equal(labelBytes, 'Return label');
  const triaged = await ok(root.PATCH('/conversations/{id}', { params: conversation, body: { status: 'pending', assignee: { id: 'agent_1', name: 'Alex' } } }), 200);
  assert.equal(triaged.assignee?.name, 'Alex');
  await answered(root.POST('/conversations/{id}/typing', { params: conversation, body: { typing: true, author: { id: 'agent_1' } } }), 204);
  const feed = await ok(root.POST('/workspaces/{ws}/realtime-token', { params: ws }), 200);
  assert.match(feed.token, /^wot_/);
  const counts = await ok(root.GET('/workspaces/{ws}/events/counts', { params: ws }), 200);
  assert.ok(counts.data.some((d) => d.type === 'page.viewed' && d.count === 1));
  const settings = await ok(root.PATCH('/workspaces/{ws}', { params: ws, body: { retention: { eventDays: 30 } } }), 200);
  assert.equal(settings.retention.eventDays, 30);
  const rotated = await ok(root.POST('/widgets/{id}/rotate-secret', { params: { path: { id: setup.widgetId } } }), 200);
  assert.notEqual(rotated.secret, setup.secret);

  // An operator account: invited, accepted, signed in; who it is.
  const email = `agent-${randomUUID().slice(0, 8)}@contract.example.com`;
  const password = `pw-${randomUUID()}`;
  const invited = await ok(root.POST('/workspaces/{ws}/members', { params: ws, body: { email, name: 'Alex Agent', role: 'agent' } }), 201);
  assert.equal(invited.member.status, 'invited');
  const accepted = await ok(adminApi(ctx, undefined).POST('/auth/accept-invite', { body: { inviteToken: invited.inviteToken, password } }), 200);
  assert.equal(accepted.operator.email, email);
  const login = await ok(adminApi(ctx, undefined).POST('/auth/login', { body: { email, password } }), 200);
  const agent = adminApi(ctx, login.token);
  const me = await ok(agent.GET('/me'), 200);
  assert.ok(me.kind === 'operator');
  same(me.operator.memberships, [{ workspaceId: setup.workspaceId, role: 'agent' }]);
  const presence = await ok(agent.PUT('/workspaces/{ws}/presence', { params: ws, body: { status: 'away' } }), 200);
  assert.equal(presence.status, 'away');
  const notifications = await ok(agent.PUT('/workspaces/{ws}/notifications', { params: ws, body: { newConversationEmail: true } }), 200);
  assert.equal(notifications.newConversationEmail, true);
  await teamInboxSteps(ctx, setup, trail, agent, me.operator.id);
  const members = await ok(root.GET('/workspaces/{ws}/members', { params: ws }), 200);
  assert.equal(members.data.find((m) => m.id === me.operator.id)?.presence, 'offline');
  const promoted = await ok(root.PATCH('/workspaces/{ws}/members/{id}', { params: { path: { ws: setup.workspaceId, id: me.operator.id } }, body: { role: 'admin' } }), 200);
  assert.equal(promoted.role, 'admin');
  const team = await ok(root.POST('/workspaces/{ws}/teams', { params: ws, body: { name: 'Support', memberIds: [me.operator.id] } }), 201);
  same((await ok(root.GET('/workspaces/{ws}/teams', { params: ws }), 200)).data.map((t) => t.id), [team.id]);
  const other = await ok(root.POST('/workspaces/{ws}/members', { params: ws, body: { email: `x-${email}`, name: 'Sam Short', role: 'agent' } }), 201);
  await answered(root.DELETE('/workspaces/{ws}/members/{id}', { params: { path: { ws: setup.workspaceId, id: other.member.id } } }), 204);
  await answered(agent.POST('/auth/logout'), 204);
  const forbidden = await answered(agent.GET('/me'), 401);
  assert.equal(forbidden?.error.code, 'invalid_token');

  // A workspace API key: who it is, then revoked.
  const created = await ok(root.POST('/workspaces/{ws}/api-keys', { params: ws, body: { name: 'CRM', role: 'agent' } }), 201);
  const keyMe = await ok(adminApi(ctx, created.secret).GET('/me'), 200);
  assert.ok(keyMe.kind === 'api_key' && keyMe.key.workspaceId === setup.workspaceId);
  assert.ok((await ok(root.GET('/workspaces/{ws}/api-keys', { params: ws }), 200)).data.some((k) => k.id === created.key.id && k.role === 'agent'));
  await answered(root.DELETE('/workspaces/{ws}/api-keys/{id}', { params: { path: { ws: setup.workspaceId, id: created.key.id } } }), 204);
  const rootMe = await ok(root.GET('/me'), 200);
  assert.equal(rootMe.kind, 'root');

  const audit = await ok(root.GET('/workspaces/{ws}/audit-log', { params: { ...ws, query: { limit: 100 } } }), 200);
  assert.ok(audit.data.some((e) => e.targetId === trail.conversationId && e.actor.kind === 'root'));
  const options = await ok(adminApi(ctx, undefined).GET('/auth/options'), 200);
  assert.equal(typeof options.sso, 'boolean');

  await webhookSteps(ctx, setup);

  // SPEC §17: everything held about the visitor, then its erasure.
  const held = await ok(root.GET('/workspaces/{ws}/visitors/export', { params: { ...ws, query: { sessionId: trail.sessionId } } }), 200);
  assert.ok(held.person.sessionIds.includes(trail.sessionId));
  assert.ok(held.parts.conversation.length > 0);
  const requested = await ok(root.POST('/workspaces/{ws}/erasures', { params: ws, body: { sessionId: trail.sessionId } }), 202);
  const erasure = await ok(root.GET('/workspaces/{ws}/erasures/{id}', { params: { path: { ws: setup.workspaceId, id: requested.erasure.id } } }), 200);
  assert.equal(erasure.erasure.selector, 'sessionId');
  assert.ok(['pending', 'done'].includes(erasure.erasure.parts.conversation.status));
}
