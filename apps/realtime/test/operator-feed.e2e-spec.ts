import {
  AdminApi,
  connectSocket,
  createTeamWorkspace,
  createTestWidget,
  expectEnvelope,
  ExtraReplica,
  nextDisconnect,
  nextEvent,
  openPlainSocket,
  openRecording,
  openSocket,
  OperatorApi,
  PlainSocket,
  recordEvents,
  refusedHandshake,
  refusedPlainUpgrade,
  spawnApp,
  spawnRealtimeReplica,
  startAnonymous,
  testStack,
  TestWidget,
  waitConnected,
} from '@widget/testing';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';

const stack = testStack();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const realtimeUrl = () => stack.realtimeUrl ?? stack.env.REALTIME_URL;

/** SPEC §10's operator feed: every conversation event of one workspace, on both protocols and every replica. */
describe('operator realtime feed', () => {
  let widget: TestWidget;
  let admin: AdminApi;
  const plain: PlainSocket[] = [];
  const io: Socket[] = [];

  async function operatorToken(workspaceId = widget.workspaceId): Promise<string> {
    const res = await admin.post(`/workspaces/${workspaceId}/realtime-token`);
    expect(res.status).toBe(200);
    return res.body.token;
  }
  async function operatorPlain(url = stack.baseUrl, options: { lastMessageId?: string; token?: string } = {}) {
    const socket = await openPlainSocket(url, { token: options.token ?? (await operatorToken()), origin: null, lastMessageId: options.lastMessageId });
    plain.push(socket);
    return socket;
  }
  async function operatorIo(url = stack.baseUrl, options: { lastMessageId?: string } = {}) {
    const socket = await openSocket(url, { token: await operatorToken(), origin: null, lastMessageId: options.lastMessageId });
    io.push(socket);
    return socket;
  }
  /** Replay comes right after the handshake: the recorder is attached before it (openRecording). */
  async function operatorIoReplaying(lastMessageId: string) {
    const { socket, seen } = await openRecording(stack.baseUrl, 'message.created', { token: await operatorToken(), origin: null, lastMessageId });
    io.push(socket);
    return seen;
  }
  async function newConversation(token: string, text = 'hello', target = widget) {
    const res = await target.api.post('/conversations', { message: text, clientMessageId: randomUUID() }, { token });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }
  async function visitorSays(token: string, conversationId: string, text: string) {
    const res = await widget.api.post(`/conversations/${conversationId}/messages`, { text, clientMessageId: randomUUID() }, { token });
    expect(res.status).toBe(201);
    return res.body;
  }
  async function agentSays(conversationId: string, text: string, type: 'agent' | 'bot' = 'agent') {
    const res = await admin.post(`/conversations/${conversationId}/messages`, { text, type, author: { id: 'op-1', name: 'Olga' } });
    expect(res.status).toBe(201);
    return res.body;
  }
  const messageFrame = (id: string) => (f: any) => f.type === 'message.created' && f.payload.message.id === id;

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    admin = widget.admin;
  });

  afterAll(() => {
    plain.forEach((s) => s.close());
    io.forEach((s) => s.close());
  });

  describe('POST /admin/v1/workspaces/{ws}/realtime-token', () => {
    it('mints a short-lived wot_ token (≤ 5 min)', async () => {
      const res = await admin.post(`/workspaces/${widget.workspaceId}/realtime-token`);
      expect(res.status).toBe(200);
      expect(res.body.token).toMatch(/^wot_/);
      const ttl = Date.parse(res.body.expiresAt) - Date.now();
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(5 * 60_000);
    });

    it('needs the operator API key (auth_required, invalid_token)', async () => {
      const bare = new AdminApi(stack.baseUrl, '');
      expect((await bare.post(`/workspaces/${widget.workspaceId}/realtime-token`)).body.error).toMatchObject({ code: 'auth_required' });
      const wrong = new AdminApi(stack.baseUrl, 'adm_wrong');
      const res = await wrong.post(`/workspaces/${widget.workspaceId}/realtime-token`);
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: 'invalid_token' });
    });

    it('answers not_found for an unknown or malformed workspace id', async () => {
      for (const id of ['ws_01J00000000000000000000000', 'nope']) {
        const res = await admin.post(`/workspaces/${id}/realtime-token`);
        expect(res.status).toBe(404);
        expect(res.body.error).toMatchObject({ code: 'not_found' });
      }
    });

    it('is no visitor credential: the widget API and a bad wot_ token are refused', async () => {
      const token = await operatorToken();
      expect((await widget.api.get('/conversations', { token })).body.error).toMatchObject({ code: 'invalid_token' });
      expect((await refusedPlainUpgrade(stack.baseUrl, { token: 'wot_unknown', origin: null })).body.error).toMatchObject({ code: 'invalid_token' });
      expect((await refusedHandshake(stack.baseUrl, { token: 'wot_unknown', origin: null })).data.error).toMatchObject({ code: 'invalid_token' });
    });
  });

  it.each([
    ['plain WebSocket', 'plain'],
    ['socket.io', 'io'],
  ] as const)('%s: receives created, message (visitor, agent, bot), updated, read and typing events of its workspace only', async (_name, kind) => {
    const frames: any[] = [];
    let socket: PlainSocket | Socket;
    if (kind === 'plain') {
      const p = await operatorPlain();
      socket = p;
      p.ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
    } else {
      const s = await operatorIo();
      socket = s;
      s.onAny((_type: string, event: any) => frames.push(event));
    }
    const waitFor = async (match: (f: any) => boolean) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const hit = frames.find(match);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching event; got ${JSON.stringify(frames.map((f) => f.type))}`);
        await sleep(20);
      }
    };

    const visitor = await startAnonymous(widget);
    const conversationId = await newConversation(visitor.token, 'first words');
    await waitFor((f) => f.type === 'conversation.created' && f.payload.conversation.id === conversationId);
    const first = await waitFor((f) => f.type === 'message.created' && f.payload.message.text === 'first words');
    expect(first.payload.message.author.type).toBe('user');

    const said = await visitorSays(visitor.token, conversationId, 'more');
    await waitFor(messageFrame(said.id));
    const agent = await agentSays(conversationId, 'agent reply');
    expect((await waitFor(messageFrame(agent.id))).payload.message.author.type).toBe('agent');
    const bot = await agentSays(conversationId, 'bot reply', 'bot');
    expect((await waitFor(messageFrame(bot.id))).payload.message.author.type).toBe('bot');

    expect((await admin.patch(`/conversations/${conversationId}`, { status: 'pending', assignee: { id: 'op-1', name: 'Olga' } })).status).toBe(200);
    const updated = await waitFor((f) => f.type === 'conversation.updated' && f.payload.conversation.id === conversationId);
    expect(updated.payload.conversation).toMatchObject({ status: 'pending', assignee: { id: 'op-1' } });

    expect((await widget.api.post(`/conversations/${conversationId}/read`, {}, { token: visitor.token })).status).toBe(200);
    await waitFor((f) => f.type === 'conversation.read' && f.payload.conversationId === conversationId);

    // Visitor typing, relayed from the visitor's socket.
    const visitorSocket = await openPlainSocket(stack.baseUrl, { token: visitor.token });
    plain.push(visitorSocket);
    visitorSocket.send({ type: 'typing', conversationId, typing: true });
    const typing = await waitFor((f) => f.type === 'typing.start' && f.payload.author.type === 'user');
    expect(typing).toMatchObject({ id: expect.stringMatching(/^evt_/), payload: { conversationId } });

    // Another workspace's traffic never shows; nor does the visitor's own unread badge.
    const elsewhere = await createTestWidget(stack);
    const stranger = await startAnonymous(elsewhere);
    const foreign = await newConversation(stranger.token, 'not yours', elsewhere);
    await agentSays(conversationId, 'barrier');
    await waitFor((f) => f.type === 'message.created' && f.payload.message.text === 'barrier');
    expect(frames.some((f) => f.payload?.conversation?.id === foreign)).toBe(false);
    expect(frames.some((f) => f.type === 'unread.changed')).toBe(false);
    if (kind === 'io') (socket as Socket).close();
  });

  it('sends operator typing to the visitor, and refuses typing for another workspace’s conversation', async () => {
    const visitor = await startAnonymous(widget);
    const conversationId = await newConversation(visitor.token);
    const visitorSocket = await openPlainSocket(stack.baseUrl, { token: visitor.token });
    plain.push(visitorSocket);
    const operator = await operatorPlain();
    operator.send({ type: 'typing', conversationId, typing: true, author: { id: 'op-2', name: 'Ana' } });
    expect((await visitorSocket.next((f) => f.type === 'typing.start')).payload).toMatchObject({ conversationId, author: { type: 'agent', id: 'op-2', name: 'Ana' } });

    const ioOperator = await operatorIo();
    const ack = await ioOperator.timeout(5000).emitWithAck('typing', { conversationId, typing: false, author: { id: 'op-2' } });
    expect(ack).toEqual({ ok: true });
    await visitorSocket.next((f) => f.type === 'typing.stop');

    const elsewhere = await createTestWidget(stack);
    const stranger = await startAnonymous(elsewhere);
    const foreign = await newConversation(stranger.token, 'not yours', elsewhere);
    operator.send({ type: 'typing', conversationId: foreign, typing: true, author: { id: 'op-2' } });
    expect((await operator.next((f) => f.type === 'error')).payload.error).toMatchObject({ code: 'conversation_not_found' });
    // An operator says who is typing.
    operator.send({ type: 'typing', conversationId, typing: true });
    expect((await operator.next((f) => f.type === 'error')).payload.error).toMatchObject({ code: 'validation_error' });
  });

  it('resumes from the last message id seen: every message of the workspace after it, once, then live', async () => {
    const [alice, bob] = [await startAnonymous(widget), await startAnonymous(widget)];
    const a = await newConversation(alice.token, 'alice here');
    const first = await operatorPlain();
    const mark = await agentSays(a, 'last seen by the inbox');
    await first.next(messageFrame(mark.id));
    first.close();

    // While the inbox is away: two visitors write, an agent answers.
    const b = await newConversation(bob.token, 'bob here');
    await visitorSays(alice.token, a, 'alice again');
    await agentSays(b, 'to bob');
    const expected = ['bob here', 'alice again', 'to bob'];
    for (const kind of ['plain', 'io'] as const) {
      const events: any[] =
        kind === 'plain' ? (await operatorPlain(stack.baseUrl, { lastMessageId: mark.id })).frames : await operatorIoReplaying(mark.id);
      const live = await agentSays(a, `live on ${kind}`);
      expected.push(live.text);
      const texts = () => events.filter((f) => f.type === 'message.created').map((f) => f.payload.message.text as string);
      const deadline = Date.now() + 10_000;
      while (!expected.every((t) => texts().includes(t)) && Date.now() < deadline) await sleep(20);
      // Live delivery is on before the replay runs (docs/realtime.md, "Reconnect replay"): the live message may come
      // first, or also in the replay if it committed before the replay's read. By message id, every one is there once.
      const byId = new Map<string, any>(events.filter((f) => f.type === 'message.created').map((f) => [f.payload.message.id, f.payload.message]));
      expect([...byId.values()].sort((x, y) => (x.id < y.id ? -1 : 1)).map((m) => m.text)).toEqual(expected);
      // What was written while the inbox was away arrives once; only the live one may also be replayed.
      for (const text of expected.filter((t) => t !== live.text)) expect(texts().filter((t) => t === text)).toHaveLength(1);
      expect(texts().filter((t) => t === live.text).length).toBeLessThanOrEqual(2);
      expect(new Set(events.map((f) => f.id)).size).toBe(events.length);
    }
  });

  describe('token expiry', () => {
    let shortLived: ExtraReplica;
    beforeAll(async () => {
      // A second session replica minting 10-second tokens; the queue group spreads requests over both.
      shortLived = await spawnApp(stack, 'session', { REALTIME_TOKEN_TTL_SECONDS: '10' });
    });
    afterAll(async () => {
      await shortLived?.stop();
    });

    it('ends the socket when its token expires (plain: error frame + 4401; socket.io: error event + server disconnect), and refuses it afterwards', async () => {
      let token: string | undefined;
      for (let attempt = 0; attempt < 50 && !token; attempt++) {
        const res = await admin.post(`/workspaces/${widget.workspaceId}/realtime-token`);
        if (Date.parse(res.body.expiresAt) - Date.now() <= 11_000) token = res.body.token;
      }
      if (!token) throw new Error('the short-lived session replica never answered');
      const p = await operatorPlain(stack.baseUrl, { token });
      // Listening before the handshake: on a slow run the token may have little life left when it is accepted, and
      // the error and disconnect can then come in the same read as the connect packet.
      const s = connectSocket(stack.baseUrl, { token, origin: null });
      io.push(s);
      const ioError = nextEvent(s, 'error', () => true, 20_000);
      const ioGone = nextDisconnect(s, 20_000);
      await waitConnected(s);
      expect((await p.closed(20_000)).code).toBe(4401);
      const expired = { code: 'auth_expired', reason: 'realtime_token_expired' };
      expect(p.frames[p.frames.length - 1]).toMatchObject({ type: 'error', payload: { error: expired } });
      expect((await ioError).error).toMatchObject(expired);
      expect(await ioGone).toBe('io server disconnect');
      const refused = await refusedPlainUpgrade(stack.baseUrl, { token, origin: null });
      expect(refused).toMatchObject({ status: 401, body: { error: expired } });
    }, 40_000);
  });

  it("a member's removal, role change or a key's revocation ends its operator sockets at once (SPEC §14); the root key's stay", async () => {
    const team = await createTeamWorkspace(stack, widget.workspaceId);
    const owner = new OperatorApi(stack.baseUrl, team.owner.token);
    const tokenFor = async (bearer: string) => (await new OperatorApi(stack.baseUrl, bearer).post(`/workspaces/${widget.workspaceId}/realtime-token`)).body.token as string;
    const key = await owner.post(`/workspaces/${widget.workspaceId}/api-keys`, { name: 'feed', role: 'agent' });
    const agentToken = await tokenFor(team.agent.token);
    const adminToken = await tokenFor(team.admin.token);
    const agentIo = await openSocket(stack.baseUrl, { token: agentToken, origin: null });
    const adminPlain = await operatorPlain(stack.baseUrl, { token: adminToken });
    const keyIo = await openSocket(stack.baseUrl, { token: await tokenFor(key.body.secret), origin: null });
    const rootIo = await operatorIo();
    io.push(agentIo, keyIo);
    const agentError = nextEvent(agentIo, 'error', () => true);
    const agentGone = nextDisconnect(agentIo);
    const keyGone = nextDisconnect(keyIo);

    expect((await owner.delete(`/workspaces/${widget.workspaceId}/members/${team.agent.id}`)).status).toBe(204);
    expect((await agentError).error).toMatchObject({ code: 'invalid_token', reason: 'access_changed' });
    expect(await agentGone).toBe('io server disconnect');
    expectEnvelope(await new OperatorApi(stack.baseUrl, team.agent.token).post(`/workspaces/${widget.workspaceId}/realtime-token`), 404, 'not_found');

    expect((await owner.patch(`/workspaces/${widget.workspaceId}/members/${team.admin.id}`, { role: 'agent' })).status).toBe(200);
    expect((await adminPlain.closed()).code).toBe(4401);
    // Their tokens, signed and unexpired, are refused from now on (the replica heard the change); a token
    // minted after it, with the new role, connects.
    expect((await refusedHandshake(stack.baseUrl, { token: agentToken, origin: null })).data.error).toMatchObject({ code: 'invalid_token', reason: 'access_changed' });
    expect((await refusedPlainUpgrade(stack.baseUrl, { token: adminToken, origin: null })).body.error).toMatchObject({ code: 'invalid_token', reason: 'access_changed' });
    const demoted = await openSocket(stack.baseUrl, { token: await tokenFor(team.admin.token), origin: null });
    io.push(demoted);
    expect(demoted.connected).toBe(true);
    expect((await owner.delete(`/workspaces/${widget.workspaceId}/api-keys/${key.body.key.id}`)).status).toBe(204);
    expect(await keyGone).toBe('io server disconnect');
    expect(rootIo.connected).toBe(true);
  });

  it("a logout ends the sockets opened through that token, and refuses its unused realtime tokens; the account's other sign-in stays", async () => {
    const team = await createTeamWorkspace(stack, widget.workspaceId);
    const login = async () => (await new OperatorApi(stack.baseUrl, undefined).post('/auth/login', { email: team.agent.email, password: team.agent.password })).body.token as string;
    const tokenFor = async (bearer: string) => (await new OperatorApi(stack.baseUrl, bearer).post(`/workspaces/${widget.workspaceId}/realtime-token`)).body.token as string;
    const [phone, laptop] = [await login(), await login()];
    const phoneIo = await openSocket(stack.baseUrl, { token: await tokenFor(phone), origin: null });
    const phonePlain = await operatorPlain(stack.baseUrl, { token: await tokenFor(phone) });
    const unused = await tokenFor(phone);
    const laptopIo = await openSocket(stack.baseUrl, { token: await tokenFor(laptop), origin: null });
    io.push(phoneIo, laptopIo);
    const phoneError = nextEvent(phoneIo, 'error', () => true);
    const phoneGone = nextDisconnect(phoneIo);

    expect((await new OperatorApi(stack.baseUrl, phone).post('/auth/logout')).status).toBe(204);
    expect((await phoneError).error).toMatchObject({ code: 'invalid_token', reason: 'revoked' });
    expect(await phoneGone).toBe('io server disconnect');
    expect((await phonePlain.closed()).code).toBe(4401);
    expect((await refusedHandshake(stack.baseUrl, { token: unused, origin: null })).data.error).toMatchObject({ code: 'invalid_token', reason: 'revoked' });
    // The laptop's sign-in is another token: its socket stays and hears the workspace.
    const visitor = await startAnonymous(widget);
    const heard = nextEvent(laptopIo, 'message.created', (e) => e.payload.message.text === 'after the phone signed out');
    await visitorSays(visitor.token, await newConversation(visitor.token), 'after the phone signed out');
    await heard;
    expect(laptopIo.connected).toBe(true);
  });

  describe('with two realtime replicas', () => {
    let second: ExtraReplica;
    beforeAll(async () => {
      second = await spawnRealtimeReplica(stack);
    });
    afterAll(async () => {
      await second?.stop();
    });

    it('an event produced through one path reaches operator sockets on both replicas (both protocols)', async () => {
      const onFirst = await operatorPlain(realtimeUrl());
      const onSecond = await operatorPlain(second.url);
      const ioOnSecond = await operatorIo(second.url);
      const visitor = await startAnonymous(widget);
      const conversationId = await newConversation(visitor.token);
      // Visitor typing from a socket on the first replica reaches the second.
      const visitorSocket = await openPlainSocket(realtimeUrl(), { token: visitor.token });
      plain.push(visitorSocket);
      const ioTyping = nextEvent(ioOnSecond, 'typing.start', (e) => e.payload.conversationId === conversationId);
      visitorSocket.send({ type: 'typing', conversationId, typing: true });
      await Promise.all([
        onFirst.next((f) => f.type === 'typing.start' && f.payload.conversationId === conversationId),
        onSecond.next((f) => f.type === 'typing.start' && f.payload.conversationId === conversationId),
        ioTyping,
      ]);
      const ioMessage = nextEvent(ioOnSecond, 'message.created', (e) => e.payload.message.text === 'to every replica');
      const message = await agentSays(conversationId, 'to every replica');
      await Promise.all([onFirst.next(messageFrame(message.id)), onSecond.next(messageFrame(message.id)), ioMessage]);
    });
  });
});
