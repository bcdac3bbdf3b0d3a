import { createTestWidget, RunningApp, spawnApp, startAnonymous, testStack, TestWidget, TEST_ORIGIN } from '@widget/testing';
import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import { HttpClient } from '../../../libs/sdk/src/core/http';
import { ConnectionState, RealtimeConnection } from '../../../libs/sdk/src/core/realtime';

const stack = testStack();
jest.setTimeout(120_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The requirement: a reconnecting visitor is served within this long of realtime (or the gateway) being ready again. */
const RECOVERY_MS = 3000;

interface Visitor {
  conversationId: string;
  /** Message id → when it first arrived. */
  arrived: Map<string, number>;
  states: ConnectionState[];
  fatal: unknown[];
  connection: RealtimeConnection;
}

/**
 * Fault test: realtime, then the gateway, killed (SIGKILL) and started again
 * under visitors connected through the gateway's relay, as in the compose and
 * `npm run stack` topology. The visitors are the SDK's own realtime client
 * (libs/sdk: its reconnect loop, a fresh realtime token per attempt, replay
 * from the newest message seen). While an app is away the relay answers each
 * attempt at once (503 upstream_unavailable) or the connection is refused, so
 * every visitor is back, with nothing lost, within RECOVERY_MS of the
 * restarted app being ready: measured from that moment, so a slow start-up on
 * a loaded machine does not count against it.
 */
describe('visitors through a restart of realtime or the gateway', () => {
  let widget: TestWidget;
  /** A realtime and a gateway relaying to it, of this spec's own (killed and started again below). */
  const running = {} as Record<'realtime' | 'gateway', RunningApp>;
  const visitors: Visitor[] = [];

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    running.realtime = await spawnApp(stack, 'realtime', { TRUST_PROXY: 'true' });
    running.gateway = await spawnApp(stack, 'gateway', { REALTIME_URL: running.realtime.url });
    for (let i = 0; i < 3; i++) visitors.push(await connectVisitor(running.gateway.url));
    await until(() => visitors.every((v) => v.connection.connected), 10_000, 'every visitor connected');
    // Live delivery works, and each visitor has a newest message to resume from.
    const first = await agentSaysToAll('before any restart');
    await until(() => visitors.every((v, i) => v.arrived.has(first[i])), 10_000, 'the first message to every visitor');
  });
  afterAll(async () => {
    visitors.forEach((v) => v.connection.stop());
    await running.gateway?.stop();
    await running.realtime?.stop();
  });

  async function connectVisitor(apiBase: string): Promise<Visitor> {
    const me = await startAnonymous(widget);
    const conversation = await widget.api.post('/conversations', { message: 'hello', clientMessageId: randomUUID() }, { token: me.token });
    expect(conversation.status).toBe(201);
    const withOrigin: typeof fetch = (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), origin: TEST_ORIGIN } });
    const http = new HttpClient({ apiBase, fetch: withOrigin });
    const visitor: Visitor = { conversationId: conversation.body.id, arrived: new Map(), states: [], fatal: [], connection: undefined as never };
    let lastSeen: string | null = null;
    // Wired as the SDK's chat core wires it: one attempt per realtime token, the connection's own loop retries.
    visitor.connection = new RealtimeConnection({
      apiBase,
      io: (uri, options) => io(uri, { ...options, extraHeaders: { origin: TEST_ORIGIN } }),
      token: async () => (await http.request<{ token: string }>('POST', '/widget/v1/sessions/realtime-token', { body: {}, token: me.token, retry: false })).token,
      lastMessageId: () => lastSeen,
      onEvent: (envelope) => {
        if (envelope.type !== 'message.created') return;
        const id = (envelope.payload as { message: { id: string } }).message.id;
        if (!visitor.arrived.has(id)) visitor.arrived.set(id, Date.now());
        lastSeen = id;
      },
      onState: (state) => visitor.states.push(state),
      onFatal: (error) => visitor.fatal.push(error.toJSON()),
    });
    visitor.connection.start();
    return visitor;
  }

  /** One agent message to every visitor's conversation (through the stack's own gateway, which stays up). */
  async function agentSaysToAll(text: string): Promise<string[]> {
    return Promise.all(
      visitors.map(async (v) => {
        const res = await widget.admin.post(`/conversations/${v.conversationId}/messages`, { text, author: { id: 'op-1', name: 'Olga' } });
        expect(res.status).toBe(201);
        return res.body.id as string;
      }),
    );
  }

  /** Per visitor, ms from `readyAt` until each of its `ids` had arrived (any not arrived within 15 s: null). */
  async function delaysAfter(readyAt: number, ids: string[][]): Promise<(number | null)[][]> {
    const all = () => visitors.every((v, i) => ids.map((list) => list[i]).every((id) => v.arrived.has(id)));
    await until(all, 15_000, 'every message to every visitor').catch(() => undefined);
    return visitors.map((v, i) => ids.map((list) => (v.arrived.has(list[i]) ? Math.max(0, v.arrived.get(list[i])! - readyAt) : null)));
  }

  function expectRecovered(delays: (number | null)[][]): void {
    for (const perVisitor of delays) for (const ms of perVisitor) expect(ms).not.toBeNull();
    const slowest = Math.max(...delays.flat().map((ms) => ms ?? Infinity));
    expect({ slowest, withinMs: RECOVERY_MS, ok: slowest <= RECOVERY_MS }).toMatchObject({ ok: true });
    expect(visitors.map((v) => v.fatal)).toEqual(visitors.map(() => []));
  }

  /** SIGKILL, a message while the app is away, the app started again on its port, a message once it is ready: both reach every visitor in time. */
  async function killAndRestart(name: 'realtime' | 'gateway'): Promise<void> {
    await until(() => visitors.every((v) => v.connection.connected), 10_000, 'every visitor connected');
    const disconnected = visitors.map((v) => v.states.length);
    expect(await running[name].stop('SIGKILL')).toBeNull();
    await until(() => visitors.every((v, i) => v.states.slice(disconnected[i]).includes('reconnecting')), 10_000, 'every visitor reconnecting');
    // Sent while the app is away: the reconnect replays it.
    const missed = await agentSaysToAll(`while ${name} was away`);
    // The visitors' first attempts meet an app that is not there.
    await sleep(1000);
    running[name] = await running[name].restart();
    const readyAt = Date.now();
    const after = await agentSaysToAll(`once ${name} was back`);
    expectRecovered(await delaysAfter(readyAt, [missed, after]));
  }

  it('realtime killed and started again: every visitor is served within 3 s of it being ready, missing nothing', async () => {
    await killAndRestart('realtime');
  });

  it('the gateway killed and started again: every visitor is served within 3 s of it being ready, missing nothing', async () => {
    await killAndRestart('gateway');
  });
});

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(20);
  }
}
