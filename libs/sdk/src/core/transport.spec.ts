import { ADMIN_ROUTE_PATHS, routeOf, WIDGET_ROUTE_PATHS } from '@widget/contracts/wire';
import { FakeSocket, FakeSocketOptions } from '../../test/fake-socket';
import { SupportChatError } from '../errors';
import type { SocketEnvelope } from './realtime';
import { Flavour, Transport } from './transport';

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
interface Call {
  method: string;
  url: string;
  auth: string | undefined;
  key: string | undefined;
  body: string | undefined;
}

/** One transport of `flavour` over a scripted fetch (answers by path, in order) and fake sockets and timers. */
function harness(flavour: Flavour, script: Record<string, Answer[]>, withToken?: (t: Transport) => <T>(run: (token: string) => Promise<T>) => Promise<T>) {
  const calls: Call[] = [];
  const waits: number[] = [];
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    calls.push({ method: init.method!, url, auth: headers.authorization, key: headers['Idempotency-Key'], body: init.body as string | undefined });
    const answer = script[new URL(url).pathname]?.shift();
    if (!answer) throw new Error(`no answer for ${url}`);
    return new Response(answer.body === undefined ? '' : JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
  }) as unknown as typeof globalThis.fetch;
  const token = { current: flavour.kind === 'operator' ? 'opt_operator' : 'wst_visitor' };
  let transport: Transport;
  transport = new Transport({
    flavour,
    // As ChatCore and OperatorApi pass it: each flavour's route of the table.
    realtimeToken: flavour.kind === 'operator' ? routeOf(ADMIN_ROUTE_PATHS.createOperatorRealtimeToken, { ws: flavour.workspaceId }) : routeOf(WIDGET_ROUTE_PATHS.createRealtimeToken),
    apiBase: 'https://support.example.com',
    fetch,
    sleep: async (ms) => void waits.push(ms),
    backoff: { baseMs: 100, maxMs: 1000, random: () => 1 },
    io: ((_uri: string, options: FakeSocketOptions) => {
      const socket = new FakeSocket(options);
      sockets.push(socket);
      return socket;
    }) as never,
    token: () => token.current,
    withToken: withToken && ((run) => withToken(transport)(run)),
    realtime: {
      backoff: { baseMs: 1000, maxMs: 10_000, random: () => 1 },
      reconnectBackoff: { baseMs: 100, maxMs: 1000, random: () => 1 },
      setTimer: (fn, ms) => timers.push({ fn, ms }),
      clearTimer: () => undefined,
    },
  });
  return { transport, calls, waits, sockets, timers, token };
}

const flush = () => new Promise((r) => setImmediate(r));
const envelope = (code: string, recoverable: boolean, extra: Record<string, unknown> = {}) => ({ error: { code, message: code, requestId: 'req_1', recoverable, ...extra } });
const message = (id: string) => ({ conversation: { id: 'conv_1' }, message: { id, conversationId: 'conv_1', text: id } });

/** The two flavours, each with the paths its routes resolve to and the bearer it sends. */
const FLAVOURS = [
  {
    name: 'visitor',
    flavour: { kind: 'visitor' } as Flavour,
    bearer: 'Bearer wst_visitor',
    call: { method: 'POST', path: '/widget/v1/conversations/conv_1/messages' },
    realtimeToken: '/widget/v1/sessions/realtime-token',
  },
  {
    name: 'operator',
    flavour: { kind: 'operator', workspaceId: 'ws_1' } as Flavour,
    bearer: 'Bearer opt_operator',
    call: { method: 'POST', path: '/admin/v1/conversations/conv_1/messages' },
    realtimeToken: '/admin/v1/workspaces/ws_1/realtime-token',
  },
] as const;

describe.each(FLAVOURS)('Transport, $name flavour', ({ flavour, bearer, call, realtimeToken }) => {
  it("sends the flavour's token, and retries a 429 after its Retry-After with the same body and Idempotency-Key", async () => {
    const h = harness(flavour, {
      [call.path]: [{ status: 429, body: envelope('rate_limited', true), headers: { 'retry-after': '2' } }, { status: 201, body: { id: 'msg_1' } }],
    });
    const reply = await h.transport.call<{ id: string }>(call, { body: { text: 'hi', clientMessageId: 'cmi_1' }, headers: { 'Idempotency-Key': 'cmi_1' } });
    expect(reply).toEqual({ id: 'msg_1' });
    expect(h.waits).toEqual([2000]);
    expect(h.calls.map((c) => [c.method, new URL(c.url).pathname, c.auth, c.key])).toEqual([
      [call.method, call.path, bearer, 'cmi_1'],
      [call.method, call.path, bearer, 'cmi_1'],
    ]);
    expect(new Set(h.calls.map((c) => c.body)).size).toBe(1);
  });

  it('gives up at once on a Retry-After longer than it waits, and never retries a refusal that is not recoverable', async () => {
    const h = harness(flavour, {
      [call.path]: [
        { status: 429, body: envelope('rate_limited', true), headers: { 'retry-after': '600' } },
        { status: 400, body: envelope('validation_error', false) },
      ],
    });
    await expect(h.transport.call(call, { body: {} })).rejects.toMatchObject({ code: 'rate_limited', retryAfter: 600 });
    await expect(h.transport.call(call, { body: {} })).rejects.toMatchObject({ code: 'validation_error', requestId: 'req_1' });
    expect(h.calls).toHaveLength(2);
    expect(h.waits).toEqual([]);
  });

  it("opens the realtime socket with a fresh token from the flavour's route, reconnects with backoff from the newest message seen", async () => {
    const h = harness(flavour, { [realtimeToken]: [{ status: 200, body: { token: 'rt_1' } }, { status: 200, body: { token: 'rt_2' } }] });
    let last: string | null = null;
    const states: string[] = [];
    const connection = h.transport.realtime({ lastMessageId: () => last, onEvent: () => undefined, onState: (s) => states.push(s), onFatal: () => states.push('fatal') });
    connection.start();
    await flush();
    expect(h.calls.map((c) => [c.method, new URL(c.url).pathname, c.auth])).toEqual([['POST', realtimeToken, bearer]]);
    expect(h.sockets[0]!.options).toMatchObject({ path: '/widget/v1/realtime', auth: { token: 'rt_1' } });
    h.sockets[0]!.emit('connect');
    last = 'msg_07';
    h.sockets[0]!.emit('disconnect', 'transport close');
    expect(states).toEqual(['connecting', 'connected', 'reconnecting']);
    expect(h.timers.map((t) => t.ms)).toEqual([100]);
    h.timers.shift()!.fn();
    await flush();
    expect(h.sockets[1]!.options.auth).toEqual({ token: 'rt_2', lastMessageId: 'msg_07' });
    connection.stop();
  });

  it('reuses a realtime token for half its life, and never one the server refused', async () => {
    const inFiveMinutes = () => new Date(Date.now() + 300_000).toISOString();
    const h = harness(flavour, { [realtimeToken]: [{ status: 200, body: { token: 'rt_1', expiresAt: inFiveMinutes() } }, { status: 200, body: { token: 'rt_2', expiresAt: inFiveMinutes() } }] });
    const connection = h.transport.realtime({ lastMessageId: () => null, onEvent: () => undefined, onState: () => undefined, onFatal: () => undefined });
    connection.start();
    await flush();
    h.sockets[0]!.emit('connect');
    h.sockets[0]!.emit('disconnect', 'transport close');
    h.timers.shift()!.fn();
    await flush();
    // A realtime restart: the same token again, no request.
    expect(h.sockets[1]!.options.auth).toEqual({ token: 'rt_1' });
    expect(h.calls).toHaveLength(1);
    // The server ended the socket (a revocation): that token is done.
    h.sockets[1]!.emit('connect');
    h.sockets[1]!.emit('disconnect', 'io server disconnect');
    h.timers.shift()!.fn();
    await flush();
    expect(h.sockets[2]!.options.auth).toEqual({ token: 'rt_2' });
    expect(h.calls).toHaveLength(2);
    connection.stop();
  });

  it('passes each event on once: a message live and then replayed, or one envelope delivered twice', async () => {
    const h = harness(flavour, { [realtimeToken]: [{ status: 200, body: { token: 'rt_1' } }] });
    const events: SocketEnvelope[] = [];
    const connection = h.transport.realtime({ lastMessageId: () => null, onEvent: (e) => events.push(e), onState: () => undefined, onFatal: () => undefined });
    connection.start();
    await flush();
    const socket = h.sockets[0]!;
    socket.emit('connect');
    socket.deliver({ id: 'evt_1', type: 'message.created', createdAt: '', payload: message('msg_1') });
    socket.deliver({ id: 'rpl_msg_1', type: 'message.created', createdAt: '', payload: message('msg_1') });
    socket.deliver({ id: 'evt_2', type: 'conversation.updated', createdAt: '', payload: { conversation: { id: 'conv_1' } } });
    socket.deliver({ id: 'evt_2', type: 'conversation.updated', createdAt: '', payload: { conversation: { id: 'conv_1' } } });
    socket.deliver({ id: 'evt_3', type: 'message.created', createdAt: '', payload: message('msg_2') });
    expect(events.map((e) => e.id)).toEqual(['evt_1', 'evt_2', 'evt_3']);
    connection.stop();
  });
});

describe('Transport: a refused token, by flavour', () => {
  it('operator: the feed stops for good (the page signs in again), with no second attempt', async () => {
    const h = harness({ kind: 'operator', workspaceId: 'ws_1' }, { '/admin/v1/workspaces/ws_1/realtime-token': [{ status: 401, body: envelope('invalid_token', false) }] });
    const fatal: SupportChatError[] = [];
    const connection = h.transport.realtime({ lastMessageId: () => null, onEvent: () => undefined, onState: () => undefined, onFatal: (e) => fatal.push(e) });
    connection.start();
    await flush();
    expect(fatal.map((e) => e.code)).toEqual(['invalid_token']);
    expect(h.timers).toEqual([]);
    expect(h.sockets).toEqual([]);
  });

  it('visitor: withToken renews the session and repeats the call, and the socket opens with the new token', async () => {
    const path = '/widget/v1/sessions/realtime-token';
    const h = harness({ kind: 'visitor' }, { [path]: [{ status: 401, body: envelope('auth_expired', true) }, { status: 200, body: { token: 'rt_new' } }] }, () => async (run) => {
      try {
        return await run(h.token.current);
      } catch (err) {
        if ((err as SupportChatError).code !== 'auth_expired') throw err;
        h.token.current = 'wst_renewed';
        return run(h.token.current);
      }
    });
    const connection = h.transport.realtime({ lastMessageId: () => null, onEvent: () => undefined, onState: () => undefined, onFatal: () => undefined });
    connection.start();
    await flush();
    await flush();
    expect(h.calls.map((c) => c.auth)).toEqual(['Bearer wst_visitor', 'Bearer wst_renewed']);
    expect(h.sockets[0]!.options.auth).toEqual({ token: 'rt_new' });
    connection.stop();
  });

  it('operator: a call without a token is refused before anything is sent', async () => {
    const h = harness({ kind: 'operator', workspaceId: 'ws_1' }, {});
    h.token.current = '';
    await expect(h.transport.call({ method: 'GET', path: '/admin/v1/me' })).rejects.toMatchObject({ code: 'auth_required' });
    expect(h.calls).toEqual([]);
  });
});
