// Over 400 lines: routing's cases (strategies, teams, presence, fail-open when the team service is away) share one stack and team fixture; split, each would rebuild them.
import { ConversationRpc, TeamRpc } from '@widget/contracts';
import {
  addOperator,
  createTeamWorkspace,
  createTestWidget,
  expectEnvelope,
  harnessNatsEnv,
  harnessNatsOptions,
  nextEvent,
  OperatorApi,
  openPlainSocket,
  openSocket,
  recordEvents,
  RunningApp,
  spawnApp,
  startAnonymous,
  testStack,
  TestOperator,
  TEST_ORIGIN,
  TestWidget,
} from '@widget/testing';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { connect, JSONCodec, NatsConnection } from 'nats';
import type { Socket } from 'socket.io-client';

const stack = testStack();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const asOperator = (token?: string) => new OperatorApi(stack.baseUrl, token);
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

type Strategy = 'round_robin' | 'least_busy' | 'platform_default';

/** A workspace with a widget, an owner, `agents` agents in one team, and the widget routing to that team. */
interface Routed {
  widget: TestWidget;
  owner: TestOperator;
  agents: TestOperator[];
  teamId: string;
}

/** SPEC §14: a visitor's new conversation goes to a present agent of the widget's team. */
describe('Routing with presence (SPEC §14)', () => {
  const sockets = new Map<string, Socket>();
  const extra: RunningApp[] = [];

  async function routedWorkspace(agentCount: number, strategy: Strategy): Promise<Routed> {
    const widget = await createTestWidget(stack);
    const { owner, agent } = await createTeamWorkspace(stack, widget.workspaceId);
    const more = await Promise.all(Array.from({ length: agentCount - 1 }, () => addOperator(stack, owner.token, widget.workspaceId, 'agent')));
    const agents = [agent, ...more].sort(byId);
    const team = await asOperator(owner.token).post(`/workspaces/${widget.workspaceId}/teams`, { name: 'Support', memberIds: agents.map((a) => a.id) });
    expect(team.status).toBe(201);
    await route(widget, { defaultTeamId: team.body.id, assignmentStrategy: strategy });
    return { widget, owner, agents, teamId: team.body.id };
  }

  async function route(widget: TestWidget, routing: { defaultTeamId?: string; assignmentStrategy: Strategy }): Promise<void> {
    const res = await widget.admin.patch(`/widgets/${widget.widgetId}`, { routing });
    expect(res.status).toBe(200);
    expect(res.body.routing).toEqual(routing);
    // The gateway that answered the PATCH has dropped its cached widget before answering: the next request routes by it.
  }

  /** The member list (any member may read it) until `operator` shows `presence`. */
  async function waitPresence(workspaceId: string, reader: TestOperator, operator: TestOperator, presence: 'online' | 'away' | 'offline', timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await asOperator(reader.token).get(`/workspaces/${workspaceId}/members`);
      expect(res.status).toBe(200);
      const seen = res.body.data.find((m: { id: string }) => m.id === operator.id)?.presence;
      if (seen === presence) return;
      if (Date.now() > deadline) throw new Error(`${operator.id} is ${seen}, not ${presence}, after ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  /** An operator socket of `operator` in `workspaceId` through the gateway (or straight to `url`), once presence counts it. */
  async function goOnline(workspaceId: string, operator: TestOperator, url = stack.baseUrl): Promise<Socket> {
    const minted = await asOperator(operator.token).post(`/workspaces/${workspaceId}/realtime-token`);
    expect(minted.status).toBe(200);
    const socket = await openSocket(url, { token: minted.body.token, origin: null });
    sockets.set(`${workspaceId} ${operator.id}`, socket);
    await waitPresence(workspaceId, operator, operator, 'online');
    return socket;
  }

  function socketOf(workspaceId: string, operator: TestOperator): Socket {
    const socket = sockets.get(`${workspaceId} ${operator.id}`);
    if (!socket) throw new Error(`no socket for ${operator.id}`);
    return socket;
  }

  async function setPresence(workspaceId: string, operator: TestOperator, status: 'online' | 'away') {
    expect(await socketOf(workspaceId, operator).timeout(5000).emitWithAck('presence.set', { status })).toEqual({ ok: true });
  }

  /** A new visitor opens a conversation: the reply (201) with its assignee. */
  async function visitorOpens(widget: TestWidget, session?: { token: string }) {
    const { token } = session ?? (await startAnonymous(widget));
    const res = await widget.api.post('/conversations', { message: 'Hello, anyone there?', clientMessageId: randomUUID() }, { token });
    expect(res.status).toBe(201);
    return res.body as { id: string; assignee: { id: string; name: string | null } | null };
  }

  async function assigneesOf(widget: TestWidget, count: number): Promise<(string | null)[]> {
    const ids: (string | null)[] = [];
    for (let i = 0; i < count; i++) ids.push((await visitorOpens(widget)).assignee?.id ?? null);
    return ids;
  }

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await Promise.all(extra.map((app) => app.stop()));
  });

  describe('round_robin', () => {
    let r: Routed;
    const ws = () => r.widget.workspaceId;

    beforeAll(async () => {
      r = await routedWorkspace(3, 'round_robin');
      for (const agent of r.agents) await goOnline(ws(), agent);
    });

    it('successive conversations go to the present agents in turn, each as { id: op_…, name }', async () => {
      const first = await visitorOpens(r.widget);
      const agent = r.agents.find((a) => a.id === first.assignee?.id);
      expect(agent).toBeDefined();
      expect(first.assignee).toEqual({ id: agent!.id, name: agent!.name });
      const ids = [first.assignee!.id, ...(await assigneesOf(r.widget, 5))];
      const order = r.agents.map((a) => a.id);
      for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe(order[(order.indexOf(ids[i - 1]!) + 1) % order.length]);
      expect(new Set(ids)).toEqual(new Set(order));
      // The operator list shows the same.
      const listed = await asOperator(r.owner.token).get(`/workspaces/${ws()}/conversations?limit=1`);
      expect(listed.body.data[0].assignee).toEqual({ id: ids[5], name: r.agents.find((a) => a.id === ids[5])!.name });
    });

    it('the assignee hears conversation.assigned on its operator feed, and so does a PATCH reassignment; the visitor never does', async () => {
      const visitor = await startAnonymous(r.widget);
      const visitorSocket = await openSocket(stack.baseUrl, { token: visitor.token });
      const visitorHeard = recordEvents(visitorSocket, 'conversation.assigned');
      try {
        // Every feed of the workspace hears every assignment: recorded from before the request (the event may beat
        // its reply), then picked by the conversation's id (an earlier test's event may still be on its way).
        const heard = r.agents.map((a) => recordEvents(socketOf(ws(), a), 'conversation.assigned'));
        const conversation = await visitorOpens(r.widget, visitor);
        const assigneeIndex = r.agents.findIndex((a) => a.id === conversation.assignee?.id);
        expect(assigneeIndex).toBeGreaterThanOrEqual(0);
        const ofThis = () => heard[assigneeIndex].find((e) => e.payload.conversationId === conversation.id);
        for (let deadline = Date.now() + 10_000; !ofThis() && Date.now() < deadline; ) await sleep(20);
        const event = ofThis();
        expect(event).toMatchObject({
          id: expect.stringMatching(/^evt_/),
          type: 'conversation.assigned',
          payload: { conversationId: conversation.id, assignee: conversation.assignee, by: 'round_robin' },
        });

        const other = r.agents[(assigneeIndex + 1) % r.agents.length];
        const reassigned = nextEvent(socketOf(ws(), other), 'conversation.assigned', (e) => e.payload.conversationId === conversation.id && e.payload.by === 'operator');
        const updated = nextEvent(visitorSocket, 'conversation.updated', (e) => e.payload.conversation.id === conversation.id);
        const patched = await asOperator(r.owner.token).patch(`/conversations/${conversation.id}`, { assignee: { id: other.id, name: other.name } });
        expect(patched.status).toBe(200);
        expect((await reassigned).payload.assignee).toEqual({ id: other.id, name: other.name });
        await updated;
        // Unassigning is an assignment change too.
        const unassigned = nextEvent(socketOf(ws(), other), 'conversation.assigned', (e) => e.payload.conversationId === conversation.id && e.payload.assignee === null);
        expect((await asOperator(r.owner.token).patch(`/conversations/${conversation.id}`, { assignee: null })).status).toBe(200);
        await unassigned;
        await sleep(300);
        expect(visitorHeard).toEqual([]);
      } finally {
        visitorSocket.close();
      }
    });

    it('round robin holds under concurrency: six visitors at once, two each', async () => {
      const opened = await Promise.all(Array.from({ length: 6 }, () => visitorOpens(r.widget)));
      const counts = new Map<string, number>();
      for (const o of opened) counts.set(o.assignee!.id, (counts.get(o.assignee!.id) ?? 0) + 1);
      expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(r.agents.map((a) => [a.id, 2])));
    });

    it('an agent that sets itself away (presence.set on its socket, or PUT …/presence) is skipped until it is online again', async () => {
      const [a, b, c] = r.agents;
      await setPresence(ws(), a, 'away');
      await waitPresence(ws(), r.owner, a, 'away', 1000);
      const without = await assigneesOf(r.widget, 4);
      expect(without).not.toContain(a.id);
      expect(new Set(without)).toEqual(new Set([b.id, c.id]));

      const put = await asOperator(b.token).put(`/workspaces/${ws()}/presence`, { status: 'away' });
      expect(put.status).toBe(200);
      expect(put.body).toEqual({ workspaceId: ws(), operatorId: b.id, status: 'away', connected: true, present: false });
      expect(await assigneesOf(r.widget, 2)).toEqual([c.id, c.id]);

      await setPresence(ws(), a, 'online');
      expect((await asOperator(b.token).put(`/workspaces/${ws()}/presence`, { status: 'online' })).body).toMatchObject({ status: 'online', present: true });
      expect(new Set(await assigneesOf(r.widget, 3))).toEqual(new Set([a.id, b.id, c.id]));
    });

    it('presence is refused to keys and the root key, and checked: a bad status is validation_error on both paths', async () => {
      expectEnvelope(await asOperator(stack.adminKey).put(`/workspaces/${ws()}/presence`, { status: 'away' }), 403, 'forbidden', 'operator_required');
      const key = await asOperator(r.owner.token).post(`/workspaces/${ws()}/api-keys`, { name: 'bot', role: 'agent' });
      expectEnvelope(await asOperator(key.body.secret).put(`/workspaces/${ws()}/presence`, { status: 'away' }), 403, 'forbidden', 'operator_required');
      expectEnvelope(await asOperator(r.agents[0].token).put(`/workspaces/${ws()}/presence`, { status: 'busy' }), 400, 'validation_error');
      expect(await socketOf(ws(), r.agents[0]).timeout(5000).emitWithAck('presence.set', { status: 'busy' })).toMatchObject({ error: { code: 'validation_error' } });
      // The root key's operator socket has no presence.
      const rootToken = await asOperator(stack.adminKey).post(`/workspaces/${ws()}/realtime-token`);
      const rootSocket = await openSocket(stack.baseUrl, { token: rootToken.body.token, origin: null });
      try {
        expect(await rootSocket.timeout(5000).emitWithAck('presence.set', { status: 'away' })).toMatchObject({ error: { code: 'forbidden', reason: 'operator_required' } });
      } finally {
        rootSocket.close();
      }
      await waitPresence(ws(), r.owner, r.agents[0], 'online', 1000);
    });

    it('an agent whose operator socket closed is skipped; nobody present leaves it unassigned', async () => {
      const [a, b, c] = r.agents;
      socketOf(ws(), c).close();
      await waitPresence(ws(), r.owner, c, 'offline');
      expect(new Set(await assigneesOf(r.widget, 4))).toEqual(new Set([a.id, b.id]));

      socketOf(ws(), a).close();
      await setPresence(ws(), b, 'away');
      await waitPresence(ws(), r.owner, a, 'offline');
      expect(await assigneesOf(r.widget, 2)).toEqual([null, null]);

      await setPresence(ws(), b, 'online');
      await goOnline(ws(), a);
      await goOnline(ws(), c);
      expect(new Set(await assigneesOf(r.widget, 3))).toEqual(new Set([a.id, b.id, c.id]));
    });

    it('platform_default, no team, or a team of another workspace: unassigned, with agents present', async () => {
      const elsewhere = await routedWorkspace(1, 'round_robin');
      await goOnline(elsewhere.widget.workspaceId, elsewhere.agents[0]);
      expect((await visitorOpens(elsewhere.widget)).assignee?.id).toBe(elsewhere.agents[0].id);
      try {
        await route(r.widget, { defaultTeamId: r.teamId, assignmentStrategy: 'platform_default' });
        expect(await assigneesOf(r.widget, 2)).toEqual([null, null]);
        // A widget of the same workspace without a team (a PATCH merges, so it cannot take the team away).
        const teamless = await r.widget.admin.post(`/workspaces/${ws()}/widgets`, { name: 'No team', allowedOrigins: [TEST_ORIGIN], routing: { assignmentStrategy: 'round_robin' } });
        expect(teamless.status).toBe(201);
        expect(await assigneesOf({ ...r.widget, widgetId: teamless.body.widget.id }, 2)).toEqual([null, null]);
        await route(r.widget, { defaultTeamId: elsewhere.teamId, assignmentStrategy: 'round_robin' });
        expect(await assigneesOf(r.widget, 2)).toEqual([null, null]);
        await route(r.widget, { defaultTeamId: elsewhere.teamId, assignmentStrategy: 'least_busy' });
        expect(await assigneesOf(r.widget, 1)).toEqual([null]);
      } finally {
        await route(r.widget, { defaultTeamId: r.teamId, assignmentStrategy: 'round_robin' });
      }
      expect(r.agents.map((a) => a.id)).toContain((await visitorOpens(r.widget)).assignee?.id);
    });

    it('a ticket form submission is routed like a conversation', async () => {
      const form = await r.widget.admin.post(`/workspaces/${ws()}/forms`, { name: 'Contact', fields: [{ key: 'topic', label: 'Topic', type: 'text', required: true }] });
      expect(form.status).toBe(201);
      expect((await r.widget.admin.patch(`/widgets/${r.widget.widgetId}`, { forms: { visibleFormIds: [form.body.id] } })).status).toBe(200);
      const { token } = await startAnonymous(r.widget);
      const submitted = await r.widget.api.post(`/forms/${form.body.id}/submissions`, { values: { topic: 'Billing' } }, { token });
      expect(submitted.status).toBe(201);
      const conversation = await r.widget.api.get(`/conversations/${submitted.body.conversationId}`, { token });
      expect(r.agents.map((a) => a.id)).toContain(conversation.body.assignee?.id);
    });
  });

  it('least_busy: the present member with the fewest open conversations assigned in the workspace, ties by id', async () => {
    const r = await routedWorkspace(3, 'least_busy');
    const ws = r.widget.workspaceId;
    const [a, b, c] = r.agents;
    for (const agent of r.agents) await goOnline(ws, agent);
    // 0/0/0 → a; 1/0/0 → b; 1/1/0 → c; 1/1/1 → a.
    const opened: { id: string; assignee: { id: string } | null }[] = [];
    for (let i = 0; i < 4; i++) opened.push(await visitorOpens(r.widget));
    expect(opened.map((o) => o.assignee?.id)).toEqual([a.id, b.id, c.id, a.id]);
    // Resolved conversations no longer count: b resolves its one, and gets the next.
    expect((await asOperator(b.token).patch(`/conversations/${opened[1].id}`, { status: 'resolved' })).status).toBe(200);
    expect((await visitorOpens(r.widget)).assignee?.id).toBe(b.id);
    // A manual assignment counts: a's two go to c (a 0, b 1, c 3) → a; then a 1, b 1 → a (a tie: the smaller id).
    for (const o of [opened[0], opened[3]]) expect((await asOperator(r.owner.token).patch(`/conversations/${o.id}`, { assignee: { id: c.id, name: c.name } })).status).toBe(200);
    expect((await visitorOpens(r.widget)).assignee?.id).toBe(a.id);
    expect((await visitorOpens(r.widget)).assignee?.id).toBe(a.id);
    // a 2, b 1, c 3, but b is away → a.
    await setPresence(ws, b, 'away');
    expect((await visitorOpens(r.widget)).assignee?.id).toBe(a.id);
  });

  it('presence is per workspace: a team member present only in another workspace is never chosen', async () => {
    const r = await routedWorkspace(1, 'round_robin');
    const ws = r.widget.workspaceId;
    // `both` is a member of this workspace (and its team) and of another one, where its only socket is.
    const both = await addOperator(stack, r.owner.token, ws, 'agent');
    const other = await createTeamWorkspace(stack);
    const invited = await asOperator(other.owner.token).post(`/workspaces/${other.workspaceId}/members`, { email: both.email, name: both.name, role: 'agent' });
    expect(invited.status).toBe(201);
    expect((await asOperator().post('/auth/accept-invite', { inviteToken: invited.body.inviteToken, password: both.password })).status).toBe(200);
    const team = await asOperator(r.owner.token).post(`/workspaces/${ws}/teams`, { name: 'Both', memberIds: [r.agents[0].id, both.id] });
    await route(r.widget, { defaultTeamId: team.body.id, assignmentStrategy: 'round_robin' });

    await goOnline(other.workspaceId, both);
    await goOnline(ws, r.agents[0]);
    await waitPresence(ws, r.owner, both, 'offline', 1000);
    expect(await assigneesOf(r.widget, 3)).toEqual([r.agents[0].id, r.agents[0].id, r.agents[0].id]);
    // Away in one workspace is not away in the other.
    await setPresence(other.workspaceId, both, 'away');
    await goOnline(ws, both);
    expect(new Set(await assigneesOf(r.widget, 2))).toEqual(new Set([r.agents[0].id, both.id]));
  });

  it('a plain WebSocket operator socket counts too, and sets presence with a presence.set frame', async () => {
    const r = await routedWorkspace(1, 'round_robin');
    const ws = r.widget.workspaceId;
    const [agent] = r.agents;
    const minted = await asOperator(agent.token).post(`/workspaces/${ws}/realtime-token`);
    const plain = await openPlainSocket(stack.baseUrl, { token: minted.body.token, origin: null });
    try {
      await waitPresence(ws, r.owner, agent, 'online');
      expect((await visitorOpens(r.widget)).assignee?.id).toBe(agent.id);
      plain.send({ type: 'presence.set', status: 'gone' });
      expect((await plain.next((f) => f.type === 'error')).payload.error).toMatchObject({ code: 'validation_error' });
      plain.send({ type: 'presence.set', status: 'away' });
      await waitPresence(ws, r.owner, agent, 'away');
      expect((await visitorOpens(r.widget)).assignee).toBeNull();
      plain.send({ type: 'presence.set', status: 'online' });
      await waitPresence(ws, r.owner, agent, 'online');
    } finally {
      plain.close();
    }
    await waitPresence(ws, r.owner, agent, 'offline');
    expect((await visitorOpens(r.widget)).assignee).toBeNull();
  });

  it("a realtime replica that dies: its operator sockets stop counting once its last report expires", async () => {
    const replica = await spawnApp(stack, 'realtime', { PRESENCE_HEARTBEAT_MS: '500' });
    extra.push(replica);
    const r = await routedWorkspace(1, 'round_robin');
    const ws = r.widget.workspaceId;
    await goOnline(ws, r.agents[0], replica.url);
    expect((await visitorOpens(r.widget)).assignee?.id).toBe(r.agents[0].id);
    await replica.stop('SIGKILL');
    // Three heartbeats (1.5 s) after its last report.
    await waitPresence(ws, r.owner, r.agents[0], 'offline', 5000);
    expect((await visitorOpens(r.widget)).assignee).toBeNull();
  });

  describe('a team service that is down or slow never holds up or breaks a visitor opening a conversation', () => {
    // A conversation service of its own NATS namespace, where the team service is what the test makes it.
    const codec = JSONCodec();
    let prefix: string;
    let conversation: RunningApp;
    let nc: NatsConnection;
    const subjectIn = (subject: string) => `${prefix}${subject.slice(stack.env.NATS_SUBJECT_PREFIX.length)}`;

    beforeAll(async () => {
      prefix = `${stack.env.NATS_SUBJECT_PREFIX}routing.`;
      conversation = await spawnApp(stack, 'conversation', {
        NATS_SUBJECT_PREFIX: prefix,
        ROUTING_TIMEOUT_MS: '300',
        // Leave the shared outbox to the stack's own conversation service.
        OUTBOX_POLL_MS: '60000',
        OUTBOX_MIN_AGE_MS: '60000',
        ...harnessNatsEnv(stack),
      });
      extra.push(conversation);
      nc = await connect(harnessNatsOptions(stack));
    });

    afterAll(async () => {
      await nc?.close();
    });

    async function create(): Promise<{ elapsed: number; reply: any }> {
      const subject = subjectIn(ConversationRpc.create.subject);
      const session = {
        sessionId: `ses_${randomUUID()}`,
        workspaceId: `ws_${randomUUID()}`,
        widgetId: `wgt_${randomUUID()}`,
        identityType: 'anonymous',
        userId: null,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      };
      const data = { session, body: { message: 'hello' }, routing: { defaultTeamId: 'team_x', assignmentStrategy: 'round_robin' } };
      const started = Date.now();
      const msg = await nc.request(subject, codec.encode({ pattern: subject, data, id: randomUUID() }), { timeout: 10_000 });
      return { elapsed: Date.now() - started, reply: codec.decode(msg.data) };
    }

    it('down (nobody answers routing): created at once, unassigned, logged', async () => {
      const { elapsed, reply } = await create();
      expect(reply.err ?? null).toBeNull();
      expect(reply.response).toMatchObject({ created: true, conversation: { status: 'open', assignee: null } });
      expect(elapsed).toBeLessThan(2000);
      // The log reaches its file a little after the reply (pino writes asynchronously): read it until it has the line.
      const logged = () => readFileSync(conversation.logFile, 'utf8').includes('routing: no answer from the team service');
      for (let deadline = Date.now() + 10_000; !logged() && Date.now() < deadline; ) await sleep(50);
      expect(readFileSync(conversation.logFile, 'utf8')).toContain('routing: no answer from the team service');
    });

    it('slow (routing is asked but never answered): created after ROUTING_TIMEOUT_MS, unassigned', async () => {
      const slow = nc.subscribe(subjectIn(TeamRpc.presentMembers.subject));
      try {
        await nc.flush();
        const { elapsed, reply } = await create();
        expect(reply.response).toMatchObject({ created: true, conversation: { assignee: null } });
        expect(elapsed).toBeGreaterThanOrEqual(290);
        expect(elapsed).toBeLessThan(2500);
      } finally {
        slow.unsubscribe();
      }
    });
  });
});
