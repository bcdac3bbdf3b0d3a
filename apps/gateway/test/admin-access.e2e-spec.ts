import { ROUTES, type Role } from '@widget/contracts';
import {
  ApiResponse,
  createTeamWorkspace,
  createTestWidget,
  expectEnvelope,
  OperatorApi,
  startAnonymous,
  TeamWorkspace,
  testStack,
  TestWidget,
} from '@widget/testing';

const stack = testStack();

/**
 * SPEC §14, the access table: who may call each /admin/v1 route. It is
 * written here, apart from the code's declarations, and every admin route of
 * route table (libs/contracts/src/routes.ts, itself checked against the
 * routes the gateway registers) must have a line: a new route without one
 * fails this spec, and a route whose guard disagrees with its line fails it too.
 */
type Rule = 'public' | 'caller' | 'root' | Role;
const ACCESS: Record<string, Rule> = {
  'GET /openapi.json': 'public',
  'POST /auth/login': 'public',
  'POST /auth/accept-invite': 'public',
  'POST /auth/logout': 'caller',
  'GET /me': 'caller',
  'POST /workspaces': 'root',
  'POST /workspaces/:ws/widgets': 'admin',
  'GET /widgets/:id': 'admin',
  'PATCH /widgets/:id': 'admin',
  'POST /widgets/:id/rotate-secret': 'admin',
  'POST /workspaces/:ws/realtime-token': 'agent',
  'POST /workspaces/:ws/collections': 'admin',
  'GET /workspaces/:ws/collections': 'agent',
  'POST /workspaces/:ws/articles': 'admin',
  'GET /workspaces/:ws/articles': 'agent',
  'GET /workspaces/:ws/synonyms': 'agent',
  'PUT /workspaces/:ws/synonyms': 'admin',
  'GET /articles/:id': 'agent',
  'PATCH /articles/:id': 'admin',
  'POST /workspaces/:ws/forms': 'admin',
  'GET /forms/:id': 'agent',
  'PATCH /forms/:id': 'admin',
  'GET /workspaces/:ws/conversations': 'agent',
  'GET /conversations/:id': 'agent',
  'GET /conversations/:id/messages': 'agent',
  'POST /conversations/:id/messages': 'agent',
  'POST /conversations/:id/attachments': 'agent',
  'GET /workspaces/:ws/attachments/:id': 'agent',
  'PATCH /conversations/:id': 'agent',
  'POST /conversations/:id/typing': 'agent',
  'GET /workspaces/:ws/events/counts': 'admin',
  'POST /workspaces/:ws/members': 'admin',
  'GET /workspaces/:ws/members': 'agent',
  'PATCH /workspaces/:ws/members/:id': 'admin',
  'DELETE /workspaces/:ws/members/:id': 'admin',
  'POST /workspaces/:ws/api-keys': 'admin',
  'GET /workspaces/:ws/api-keys': 'admin',
  'DELETE /workspaces/:ws/api-keys/:id': 'admin',
  'POST /workspaces/:ws/teams': 'admin',
  'GET /workspaces/:ws/teams': 'agent',
  'GET /workspaces/:ws/audit-log': 'admin',
  'PATCH /workspaces/:ws': 'admin',
  'POST /workspaces/:ws/erasures': 'admin',
  'GET /workspaces/:ws/erasures/:id': 'admin',
  'GET /workspaces/:ws/visitors/export': 'admin',
  'GET /auth/options': 'public',
  'GET /auth/oidc/start': 'public',
  'GET /auth/oidc/callback': 'public',
  'PUT /workspaces/:ws/presence': 'agent',
  'PUT /workspaces/:ws/notifications': 'agent',
  'GET /workspaces/:ws/conversations/counts': 'agent',
  'GET /workspaces/:ws/widgets': 'admin',
  'GET /workspaces/:ws/canned-replies': 'agent',
  'POST /workspaces/:ws/canned-replies': 'admin',
  'PATCH /workspaces/:ws/canned-replies/:id': 'admin',
  'DELETE /workspaces/:ws/canned-replies/:id': 'admin',
  'POST /workspaces/:ws/webhooks': 'admin',
  'GET /workspaces/:ws/webhooks': 'admin',
  'GET /workspaces/:ws/webhooks/:id': 'admin',
  'PATCH /workspaces/:ws/webhooks/:id': 'admin',
  'DELETE /workspaces/:ws/webhooks/:id': 'admin',
  'POST /workspaces/:ws/webhooks/:id/test': 'admin',
  'GET /workspaces/:ws/webhooks/:id/deliveries': 'admin',
  'POST /workspaces/:ws/webhooks/deliveries/:id/retry': 'admin',
};
const RANK: Record<Role, number> = { agent: 0, admin: 1, owner: 2 };

const adminRoutes = Object.values(ROUTES.admin).map((r) => `${r.method} ${r.path}`);

/** One workspace's resources: the ids a route's path is filled with. */
interface Place {
  workspaceId: string;
  widget: TestWidget;
  ids: { widget: string; article: string; form: string; conversation: string };
}

async function place(team?: (ws: string) => Promise<TeamWorkspace>): Promise<Place & { team?: TeamWorkspace }> {
  const widget = await createTestWidget(stack);
  const visitor = await startAnonymous(widget);
  const root = new OperatorApi(stack.baseUrl, stack.adminKey);
  const [conversation, article, form] = await Promise.all([
    widget.api.post('/conversations', { message: 'access table' }, { token: visitor.token }),
    root.post(`/workspaces/${widget.workspaceId}/articles`, { title: 'Access', body: 'Table', status: 'published' }),
    root.post(`/workspaces/${widget.workspaceId}/forms`, { name: 'Access', fields: [{ key: 'q', label: 'Q', type: 'text' }] }),
  ]);
  const ids = { widget: widget.widgetId, article: article.body.id, form: form.body.id, conversation: conversation.body.id };
  return { workspaceId: widget.workspaceId, widget, ids, team: team && (await team(widget.workspaceId)) };
}

/** The route's path with `place`'s ids (made-up ids where the route names a member, key or attachment). */
function pathIn(route: string, at: Place): string {
  const [, path] = route.split(' ');
  const kind = path.split('/')[1];
  return path
    .replace(':ws', at.workspaceId)
    .replace(/members\/:id/, 'members/op_01ARZ3NDEKTSV4RRFFQ69G5FAV')
    .replace(/api-keys\/:id/, 'api-keys/key_01ARZ3NDEKTSV4RRFFQ69G5FAV')
    .replace(/attachments\/:id/, 'attachments/att_01ARZ3NDEKTSV4RRFFQ69G5FAV')
    .replace(/erasures\/:id/, 'erasures/era_01ARZ3NDEKTSV4RRFFQ69G5FAV')
    .replace(/canned-replies\/:id/, 'canned-replies/cnr_01ARZ3NDEKTSV4RRFFQ69G5FAV')
    .replace(/webhooks\/deliveries\/:id/, 'webhooks/deliveries/whd_01ARZ3NDEKTSV4RRFFQ69G5FAV')
    .replace(/webhooks\/:id/, 'webhooks/wh_01ARZ3NDEKTSV4RRFFQ69G5FAV')
    .replace(':id', at.ids[kind.replace(/s$/, '') as keyof Place['ids']]);
}

function call(token: string | undefined, route: string, path: string): Promise<ApiResponse> {
  const [method] = route.split(' ');
  const api = new OperatorApi(stack.baseUrl, token);
  const body = ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined;
  return api.api.request(method, path, body, { token });
}

/** The guard let it through: what follows is the route's own answer (done, or its own validation or 404). */
function passed(res: ApiResponse, route: string): void {
  const detail = `${route} → ${res.status} ${res.text.slice(0, 200)}`;
  expect([res.status, detail]).not.toEqual([401, detail]);
  expect([res.status, detail]).not.toEqual([403, detail]);
  if (res.status === 404) expect([res.body?.error?.reason, detail]).not.toEqual(['workspace_not_found', detail]);
}

describe('/admin/v1 access table (SPEC §14)', () => {
  let home: Place & { team?: TeamWorkspace };
  let away: Place;
  let callers: { label: string; token: string; role: Role }[];
  let visitorToken: string;

  beforeAll(async () => {
    [home, away] = await Promise.all([place((ws) => createTeamWorkspace(stack, ws)), place()]);
    const team = home.team!;
    const owner = new OperatorApi(stack.baseUrl, team.owner.token);
    const [adminKey, agentKey] = await Promise.all([
      owner.post(`/workspaces/${home.workspaceId}/api-keys`, { name: 'admin key', role: 'admin' }),
      owner.post(`/workspaces/${home.workspaceId}/api-keys`, { name: 'agent key', role: 'agent' }),
    ]);
    callers = [
      { label: 'owner', token: team.owner.token, role: 'owner' },
      { label: 'admin', token: team.admin.token, role: 'admin' },
      { label: 'agent', token: team.agent.token, role: 'agent' },
      { label: 'admin API key', token: adminKey.body.secret, role: 'admin' },
      { label: 'agent API key', token: agentKey.body.secret, role: 'agent' },
    ];
    visitorToken = (await startAnonymous(home.widget)).token;
  });

  it('every admin route has a line in the table, and every line a route', () => {
    const missing = adminRoutes.filter((r) => !(r in ACCESS));
    expect(missing).toEqual([]);
    const documented = new Set(adminRoutes);
    // Lines for routes another part of the project adds are kept only while that route exists.
    const stale = Object.keys(ACCESS).filter((r) => !documented.has(r) && !['GET /auth/options', 'GET /auth/oidc/start', 'GET /auth/oidc/callback', 'PUT /workspaces/:ws/presence'].includes(r));
    expect(stale).toEqual([]);
  });

  it('without a token, or with a visitor session token: 401 on every route that is not public', async () => {
    for (const route of adminRoutes.filter((r) => ACCESS[r] !== 'public')) {
      const path = pathIn(route, home);
      expectEnvelope(await call(undefined, route, path), 401, 'auth_required');
      expectEnvelope(await call(visitorToken, route, path), 401, 'invalid_token');
    }
  });

  it('each role and key kind: allowed at its role and above, 403 role_required below, in its own workspace', async () => {
    for (const route of adminRoutes.filter((r) => !['public', 'caller'].includes(ACCESS[r]))) {
      const rule = ACCESS[route];
      for (const caller of callers) {
        const res = await call(caller.token, route, pathIn(route, home));
        if (rule === 'root' || RANK[caller.role] < RANK[rule as Role]) expectEnvelope(res, 403, 'forbidden', 'role_required');
        else passed(res, `${caller.label}: ${route}`);
      }
    }
  });

  it("another workspace's ids: 404 as if absent, for every caller and every role route", async () => {
    for (const route of adminRoutes.filter((r) => RANK[ACCESS[r] as Role] !== undefined)) {
      for (const caller of callers) {
        const res = await call(caller.token, route, pathIn(route, away));
        expect([res.status, `${caller.label}: ${route} → ${res.text.slice(0, 200)}`]).toEqual([404, expect.any(String)]);
        expect(res.body.error.code).toMatch(/not_found$/);
      }
    }
  });

  it('the root key keeps working everywhere, as before accounts', async () => {
    for (const route of adminRoutes.filter((r) => !['public', 'caller'].includes(ACCESS[r]))) {
      passed(await call(stack.adminKey, route, pathIn(route, home)), `root: ${route}`);
    }
  });
});
