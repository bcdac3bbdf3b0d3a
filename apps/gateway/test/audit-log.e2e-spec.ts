import {
  Api,
  ApiResponse,
  createTeamWorkspace,
  expectEnvelope,
  OperatorApi,
  startAnonymous,
  TeamWorkspace,
  TEST_ORIGIN,
  TestWidget,
  testStack,
} from '@widget/testing';
import { randomUUID } from 'node:crypto';

const stack = testStack();
const as = (token?: string) => new OperatorApi(stack.baseUrl, token);
const root = () => as(stack.adminKey);

interface Entry {
  id: string;
  at: string;
  actor: { kind: 'root' | 'operator' | 'api_key'; id: string | null };
  action: string;
  targetType: string;
  targetId: string | null;
  requestId: string | null;
  address: string | null;
}
type Expected = Pick<Entry, 'actor' | 'action' | 'targetType' | 'targetId' | 'requestId'>;

/** The team service's own entries (members, keys), covered by team-accounts.e2e-spec.ts. */
const TEAM_ACTION = /^(member|api_key|team)\./;
const requestIdOf = (res: ApiResponse) => res.headers.get('x-request-id');

/** Every page of a workspace's log, `limit` at a time, following nextCursor. */
async function walk(api: OperatorApi, workspaceId: string, limit: number): Promise<Entry[]> {
  const entries: Entry[] = [];
  let cursor: string | null = null;
  do {
    const res: ApiResponse = await api.get(`/workspaces/${workspaceId}/audit-log?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(limit);
    entries.push(...res.body.data);
    cursor = res.body.nextCursor;
  } while (cursor);
  return entries;
}

/**
 * SPEC §14: every operator write of every service is recorded by that service in the change's own
 * transaction, and GET …/audit-log merges them, newest first — through the real gateway and services.
 */
describe('Audit log across services (SPEC §14)', () => {
  let team: TeamWorkspace;
  let other: TeamWorkspace;
  let workspaceId: string;
  let widgetId: string;
  let widgetSecret: string;
  let createdSecret: string;
  let apiKey: { id: string; secret: string };
  let articleId: string;
  let formId: string;
  let conversationId: string;
  const expected: Expected[] = [];
  const ARTICLE_TEXT = `Refunds take zyxquorble ${randomUUID()} days`;
  const SYNONYM = `flobbertine-${randomUUID().slice(0, 8)}`;

  const operator = (id: string) => ({ kind: 'operator' as const, id });
  const expectWrite = (res: ApiResponse, status: number, entry: Omit<Expected, 'requestId'>) => {
    expect({ status: res.status, text: res.status === status ? '' : res.text }).toEqual({ status, text: '' });
    expected.push({ ...entry, requestId: requestIdOf(res) });
  };

  beforeAll(async () => {
    const created = await root().post('/workspaces', { name: `audit-${randomUUID().slice(0, 8)}` });
    expect(created.status).toBe(201);
    workspaceId = created.body.id;
    expected.push({ actor: { kind: 'root', id: null }, action: 'workspace.created', targetType: 'workspace', targetId: workspaceId, requestId: requestIdOf(created) });
    [team, other] = await Promise.all([createTeamWorkspace(stack, workspaceId), createTeamWorkspace(stack)]);
    const key = await as(team.owner.token).post(`/workspaces/${workspaceId}/api-keys`, { name: 'integration', role: 'admin' });
    expect(key.status).toBe(201);
    apiKey = { id: key.body.key.id, secret: key.body.secret };
  });

  it('records widget writes: created (once for an Idempotency-Key retry), changed (by an operator and by the root key), secret rotated', async () => {
    const create = () => as(team.admin.token).post(`/workspaces/${workspaceId}/widgets`, { name: 'Audited', allowedOrigins: [TEST_ORIGIN] }, headers);
    const headers = { 'idempotency-key': `audit-${randomUUID()}` };
    const widget = await create();
    widgetId = widget.body.widget?.id;
    createdSecret = widget.body.secret;
    expectWrite(widget, 201, { actor: operator(team.admin.id), action: 'widget.created', targetType: 'widget', targetId: widgetId });
    const retry = await create();
    expect({ status: retry.status, id: retry.body.widget.id, secret: retry.body.secret }).toEqual({ status: 201, id: widgetId, secret: widget.body.secret });
    expectWrite(await as(team.admin.token).patch(`/widgets/${widgetId}`, { theme: { primaryColor: '#112233' } }), 200, {
      actor: operator(team.admin.id),
      action: 'widget.updated',
      targetType: 'widget',
      targetId: widgetId,
    });
    expectWrite(await root().patch(`/widgets/${widgetId}`, { name: 'Audited by root' }), 200, {
      actor: { kind: 'root', id: null },
      action: 'widget.updated',
      targetType: 'widget',
      targetId: widgetId,
    });
    const rotated = await as(team.owner.token).post(`/widgets/${widgetId}/rotate-secret`);
    widgetSecret = rotated.body.secret;
    expect(widgetSecret).toMatch(/^whsec_/);
    expectWrite(rotated, 200, { actor: operator(team.owner.id), action: 'widget.secret_rotated', targetType: 'widget', targetId: widgetId });
  });

  it('records knowledge writes (an API key is its own actor): collection, article created and changed, synonyms replaced', async () => {
    const key = as(apiKey.secret);
    const collection = await key.post(`/workspaces/${workspaceId}/collections`, { name: 'Billing' });
    expectWrite(collection, 201, { actor: { kind: 'api_key', id: apiKey.id }, action: 'collection.created', targetType: 'collection', targetId: collection.body.id });
    expect(apiKey.id).toMatch(/^key_/);

    const article = await as(team.admin.token).post(`/workspaces/${workspaceId}/articles`, {
      title: 'Refunds',
      body: `<p>${ARTICLE_TEXT}</p>`,
      collectionId: collection.body.id,
    });
    articleId = article.body.id;
    expectWrite(article, 201, { actor: operator(team.admin.id), action: 'article.created', targetType: 'article', targetId: articleId });
    expectWrite(await as(team.owner.token).patch(`/articles/${articleId}`, { status: 'published', body: `<p>${ARTICLE_TEXT}, or fewer</p>` }), 200, {
      actor: operator(team.owner.id),
      action: 'article.updated',
      targetType: 'article',
      targetId: articleId,
    });
    expectWrite(await as(team.admin.token).put(`/workspaces/${workspaceId}/synonyms`, { groups: [[SYNONYM, 'refund']] }), 200, {
      actor: operator(team.admin.id),
      action: 'synonyms.replaced',
      targetType: 'synonyms',
      targetId: null,
    });
  });

  it('records form writes; an Idempotency-Key retry replays the reply and records nothing again', async () => {
    const body = { name: 'Bug report', fields: [{ key: 'what', label: 'What happened', type: 'textarea', required: true }] };
    const headers = { 'idempotency-key': `audit-${randomUUID()}` };
    const first = await as(team.admin.token).post(`/workspaces/${workspaceId}/forms`, body, headers);
    formId = first.body.id;
    expectWrite(first, 201, { actor: operator(team.admin.id), action: 'form.created', targetType: 'form', targetId: formId });
    const retry = await as(team.admin.token).post(`/workspaces/${workspaceId}/forms`, body, headers);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(formId);
    expect(requestIdOf(retry)).not.toBe(requestIdOf(first));

    expectWrite(await as(apiKey.secret).patch(`/forms/${formId}`, { name: 'Bug report (v2)' }), 200, {
      actor: { kind: 'api_key', id: apiKey.id },
      action: 'form.updated',
      targetType: 'form',
      targetId: formId,
    });
  });

  it('records status and assignment changes; messages, typing and a patch that changes nothing are no entries', async () => {
    const widget = { workspaceId, widgetId, api: new Api(`${stack.baseUrl}/widget/v1`, TEST_ORIGIN) } as TestWidget;
    const visitor = await startAnonymous(widget);
    const conversation = await widget.api.post('/conversations', { message: 'Where is my refund?' }, { token: visitor.token });
    expect(conversation.status).toBe(201);
    conversationId = conversation.body.id;
    const agent = as(team.agent.token);

    expectWrite(await agent.patch(`/conversations/${conversationId}`, { status: 'pending' }), 200, {
      actor: operator(team.agent.id),
      action: 'conversation.status_changed',
      targetType: 'conversation',
      targetId: conversationId,
    });
    expectWrite(await agent.patch(`/conversations/${conversationId}`, { assignee: { id: team.agent.id, name: team.agent.name } }), 200, {
      actor: operator(team.agent.id),
      action: 'conversation.assigned',
      targetType: 'conversation',
      targetId: conversationId,
    });
    expect((await agent.patch(`/conversations/${conversationId}`, { status: 'pending' })).status).toBe(200);
    expect((await agent.post(`/conversations/${conversationId}/messages`, { text: 'Looking into it' })).status).toBe(201);
    expect((await agent.post(`/conversations/${conversationId}/typing`, { typing: true })).status).toBe(204);
  });

  it('a failed write (validation error, 404, a refusal inside the service) records nothing', async () => {
    const before = await walk(as(team.owner.token), workspaceId, 100);
    const admin = as(team.admin.token);
    const otherCollection = await as(other.owner.token).post(`/workspaces/${other.workspaceId}/collections`, { name: 'Elsewhere' });
    expect(otherCollection.status).toBe(201);
    const failures = [
      [await admin.patch(`/widgets/${widgetId}`, { enabled: 'yes' }), 400],
      [await admin.post(`/workspaces/${workspaceId}/widgets`, { name: 'Pasted', workspaceId: other.workspaceId }), 400],
      [await admin.post('/widgets/wgt_01HZZZZZZZZZZZZZZZZZZZZZZZ/rotate-secret'), 404],
      [await admin.post(`/workspaces/${workspaceId}/collections`, { name: '' }), 400],
      [await admin.patch(`/articles/${articleId}`, { collectionId: otherCollection.body.id }), 400],
      [await admin.patch('/articles/art_01HZZZZZZZZZZZZZZZZZZZZZZZ', { title: 'Nope' }), 404],
      [await admin.put(`/workspaces/${workspaceId}/synonyms`, { groups: [['alone']] }), 400],
      [await admin.patch('/forms/frm_01HZZZZZZZZZZZZZZZZZZZZZZZ', { name: 'Nope' }), 404],
      [await admin.post(`/workspaces/${workspaceId}/forms`, { name: 'No fields', fields: 'none' }), 400],
      [await admin.patch(`/conversations/${conversationId}`, { status: 'bogus' }), 400],
      [await admin.patch('/conversations/cnv_01HZZZZZZZZZZZZZZZZZZZZZZZ', { status: 'closed' }), 404],
      [await as(team.agent.token).patch(`/widgets/${widgetId}`, { name: 'Agent was here' }), 403],
    ] as const;
    for (const [res, status] of failures) expect({ status: res.status, text: res.text }).toEqual({ status, text: expect.any(String) });
    const after = await walk(as(team.owner.token), workspaceId, 100);
    expect(after).toEqual(before);
    const refused = new Set(failures.map(([res]) => requestIdOf(res)));
    expect(after.filter((e) => refused.has(e.requestId))).toEqual([]);
  });

  it('the merged log: one entry per write with actor, action, target and request id, newest first, never a body or a secret', async () => {
    const log = await as(team.admin.token).get(`/workspaces/${workspaceId}/audit-log?limit=100`);
    expect(log.status).toBe(200);
    expect(log.body.nextCursor).toBeNull();
    const entries: Entry[] = log.body.data;
    const ids = entries.map((e) => e.id);
    expect(ids.every((id) => /^aud_[0-9A-Z]{26}$/.test(id))).toBe(true);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);

    const ours = entries.filter((e) => !TEAM_ACTION.test(e.action)).reverse();
    expect(ours.map(({ actor, action, targetType, targetId, requestId }) => ({ actor, action, targetType, targetId, requestId }))).toEqual(expected);
    for (const entry of ours) {
      expect(entry.requestId).toMatch(/^req_[0-9A-Z]{26}$/);
      expect(typeof entry.address).toBe('string');
      expect(Date.parse(entry.at)).toBeGreaterThan(Date.now() - 10 * 60_000);
      expect(Object.keys(entry).sort()).toEqual(['action', 'actor', 'address', 'at', 'id', 'requestId', 'targetId', 'targetType']);
    }
    const text = JSON.stringify(log.body);
    for (const secret of [widgetSecret, createdSecret, apiKey.secret, team.owner.token, team.admin.token, stack.adminKey, ARTICLE_TEXT, 'zyxquorble', SYNONYM, 'Bug report', 'Where is my refund', 'Looking into it', team.agent.name]) {
      expect(text).not.toContain(secret);
    }
  });

  it('pages across services with the cursor: the same entries as one page, in the same order', async () => {
    const whole = await walk(as(team.owner.token), workspaceId, 100);
    const paged = await walk(as(team.owner.token), workspaceId, 3);
    expect(paged).toEqual(whole);
    expect(Math.ceil(whole.length / 3)).toBeGreaterThan(4);
    // A page's entries come from several services: the team's, the session's and the knowledge service's at least.
    const actions = new Set(whole.map((e) => e.action.split('.')[0]));
    for (const domain of ['member', 'workspace', 'widget', 'collection', 'article', 'synonyms', 'form', 'conversation']) expect(actions).toContain(domain);
  });

  it('owners and admins read it, an agent gets 403; another workspace shows nothing of this one', async () => {
    expect((await as(team.owner.token).get(`/workspaces/${workspaceId}/audit-log`)).status).toBe(200);
    expect((await as(apiKey.secret).get(`/workspaces/${workspaceId}/audit-log`)).status).toBe(200);
    expectEnvelope(await as(team.agent.token).get(`/workspaces/${workspaceId}/audit-log`), 403, 'forbidden', 'role_required');
    expectEnvelope(await as(other.owner.token).get(`/workspaces/${workspaceId}/audit-log`), 404, 'not_found');

    const theirs = await walk(as(other.owner.token), other.workspaceId, 100);
    expect(theirs.some((e) => e.action === 'collection.created')).toBe(true);
    const ourTargets = new Set([workspaceId, widgetId, articleId, formId, conversationId, apiKey.id]);
    const ourRequests = new Set(expected.map((e) => e.requestId));
    expect(theirs.filter((e) => ourTargets.has(e.targetId ?? '') || ourRequests.has(e.requestId))).toEqual([]);
    expect(JSON.stringify(theirs)).not.toContain(workspaceId);
  });

  it('is append-only: no route edits or deletes an entry', async () => {
    const [entry] = (await as(team.owner.token).get(`/workspaces/${workspaceId}/audit-log?limit=1`)).body.data as Entry[];
    const owner = as(team.owner.token);
    const key = as(stack.adminKey);
    for (const api of [owner, key]) {
      for (const path of [`/workspaces/${workspaceId}/audit-log`, `/workspaces/${workspaceId}/audit-log/${entry.id}`]) {
        for (const res of [await api.delete(path), await api.patch(path, { action: 'nothing' }), await api.put(path, { action: 'nothing' }), await api.post(path, {})]) {
          expectEnvelope(res, 404, 'not_found');
        }
      }
    }
    expect((await owner.get(`/workspaces/${workspaceId}/audit-log?limit=1`)).body.data).toEqual([entry]);
    const doc = await new Api(stack.baseUrl).get('/admin/v1/openapi.json');
    const auditPaths = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).filter(([path]) => path.includes('audit-log'));
    expect(auditPaths.map(([path, ops]) => [path, Object.keys(ops).filter((k) => k !== 'parameters')])).toEqual([['/workspaces/{ws}/audit-log', ['get']]]);
  });
});
