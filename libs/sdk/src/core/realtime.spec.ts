import { SupportChatError } from '../errors';
import { FakeSocket, FakeSocketOptions } from '../../test/fake-socket';
import { RealtimeConnection, SocketEnvelope } from './realtime';

function harness(lastId: () => string | null, token: () => Promise<string> = async () => `rt_${++tokens}`) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const states: string[] = [];
  const events: SocketEnvelope[] = [];
  const connection = new RealtimeConnection({
    apiBase: 'https://api.example.com',
    io: ((_uri: string, options: FakeSocketOptions) => {
      const socket = new FakeSocket(options);
      sockets.push(socket);
      return socket;
    }) as never,
    token,
    lastMessageId: lastId,
    onEvent: (e) => events.push(e),
    onState: (s) => states.push(s),
    onFatal: () => states.push('fatal'),
    backoff: { baseMs: 1000, maxMs: 10_000, random: () => 1 },
    reconnectBackoff: { baseMs: 100, maxMs: 1000, random: () => 1 },
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => undefined,
  });
  return { connection, sockets, timers, states, events };
}

let tokens = 0;
const flush = () => new Promise((r) => setImmediate(r));
const refusal = (error: Record<string, unknown>) => Object.assign(new Error('refused'), { data: { error: { message: 'refused', ...error } } });

describe('RealtimeConnection', () => {
  it('tries WebSocket first with polling as the fallback', async () => {
    const h = harness(() => null);
    h.connection.start();
    await flush();
    expect(h.sockets[0]!.options.transports).toEqual(['websocket', 'polling']);
  });

  it('reconnects with growing backoff, a fresh token and the newest message id each time, and resets after success', async () => {
    let last: string | null = null;
    const h = harness(() => last);
    h.connection.start();
    await flush();
    h.sockets[0]!.emit('connect');
    expect(h.states).toEqual(['connecting', 'connected']);
    last = 'msg_07';
    h.sockets[0]!.emit('disconnect', 'transport close');
    expect(h.states.at(-1)).toBe('reconnecting');
    expect(h.timers.map((t) => t.ms)).toEqual([100]);
    h.timers.shift()!.fn();
    await flush();
    expect(h.sockets[1]!.options.auth).toEqual({ token: `rt_${tokens}`, lastMessageId: 'msg_07' });
    h.sockets[1]!.emit('connect_error', new Error('refused'));
    h.timers.shift()!.fn();
    await flush();
    h.sockets[2]!.emit('connect_error', new Error('refused'));
    expect(h.timers.map((t) => t.ms)).toEqual([400]);
    h.timers.shift()!.fn();
    await flush();
    h.sockets[3]!.emit('connect');
    expect(h.states.at(-1)).toBe('connected');
    expect(h.connection.attempts).toBe(0);
  });

  it('while the server is away (lost socket, failed transport, gateway unreachable), waits at most the short reconnect backoff', async () => {
    let reachable = true;
    const h = harness(() => null, async () => {
      if (!reachable) throw new SupportChatError({ code: 'network_error', message: 'offline', recoverable: true });
      return 'rt';
    });
    h.connection.start();
    await flush();
    h.sockets[0]!.emit('connect');
    h.sockets[0]!.emit('disconnect', 'transport close');
    for (let i = 0; i < 3; i++) {
      h.timers.shift()!.fn();
      await flush();
      h.sockets.at(-1)!.emit('connect_error', new Error('websocket error'));
    }
    reachable = false;
    for (let i = 0; i < 3; i++) {
      h.timers.shift()!.fn();
      await flush();
    }
    expect(h.timers.map((t) => t.ms)).toEqual([1000]);
    expect(h.connection.attempts).toBe(7);
  });

  it('a refusal waits on the longer backoff, and at least the retryAfter it came with', async () => {
    const h = harness(() => null);
    h.connection.start();
    await flush();
    h.sockets[0]!.emit('connect_error', refusal({ code: 'rate_limited', recoverable: true, retryAfter: 30 }));
    expect(h.timers.map((t) => t.ms)).toEqual([30_000]);
    h.timers.shift()!.fn();
    await flush();
    h.sockets[1]!.emit('connect_error', refusal({ code: 'auth_expired', recoverable: true }));
    expect(h.timers.map((t) => t.ms)).toEqual([2000]);
    h.timers.shift()!.fn();
    await flush();
    // A server disconnect (revoked, widget changed) is a refusal too.
    h.sockets[2]!.emit('connect');
    h.sockets[2]!.emit('disconnect', 'io server disconnect');
    expect(h.timers.map((t) => t.ms)).toEqual([1000]);
  });

  it('past the realtime process\'s handshake cap (503 server_busy) backs off with jitter on the longer backoff, keeping its token', async () => {
    const asked: (boolean | undefined)[] = [];
    const draws = [0.25, 0.75];
    const h = harness(() => null, async (options) => {
      asked.push(options?.fresh);
      return 'rt';
    });
    (h.connection as unknown as { backoff: { random: () => number } }).backoff.random = () => draws.shift() ?? 1;
    h.connection.start();
    await flush();
    const busy = { code: 'internal_error', reason: 'server_busy', recoverable: true };
    h.sockets[0]!.emit('connect_error', refusal(busy));
    h.timers.shift()!.fn();
    await flush();
    h.sockets[1]!.emit('connect_error', refusal(busy));
    // Full jitter: a random share of min(max, base·2^attempt), never a fixed delay.
    expect(h.timers.map((t) => t.ms)).toEqual([1500]);
    h.timers.shift()!.fn();
    await flush();
    expect(h.sockets).toHaveLength(3);
    expect(asked).toEqual([false, false, false]);
  });

  it('a server_busy refusal with a retryAfter (its turn in the process\'s queue) comes back then, not after the grown backoff', async () => {
    const h = harness(() => null);
    h.connection.start();
    await flush();
    // Three failed transports while the server restarted: the refusal backoff would now be min(10 s, 1000·2³).
    for (let i = 0; i < 3; i++) {
      h.sockets[i]!.emit('connect_error', new Error('websocket error'));
      h.timers.shift()!.fn();
      await flush();
    }
    h.sockets[3]!.emit('connect_error', refusal({ code: 'internal_error', reason: 'server_busy', recoverable: true, retryAfter: 3.217 }));
    expect(h.timers.map((t) => t.ms)).toEqual([3217]);
    h.timers.shift()!.fn();
    await flush();
    // A turn is taken as given, but never past a minute; a rate_limited retryAfter stays a floor under the backoff.
    h.sockets[4]!.emit('connect_error', refusal({ code: 'internal_error', reason: 'server_busy', recoverable: true, retryAfter: 3600 }));
    expect(h.timers.map((t) => t.ms)).toEqual([60_000]);
    h.timers.shift()!.fn();
    await flush();
    h.sockets[5]!.emit('connect_error', refusal({ code: 'rate_limited', reason: 'rate_limited', recoverable: true, retryAfter: 1 }));
    expect(h.timers.map((t) => t.ms)).toEqual([10_000]);
  });

  it('once the server said it is busy, a failed transport waits the longer backoff too, until a connection succeeds', async () => {
    const h = harness(() => null);
    h.connection.start();
    await flush();
    h.sockets[0]!.emit('connect_error', refusal({ code: 'internal_error', reason: 'server_busy', recoverable: true }));
    h.timers.shift()!.fn();
    await flush();
    h.sockets[1]!.emit('connect_error', new Error('websocket error'));
    // attempt 1 on the refusal backoff (1000·2), not the short one (100·2).
    expect(h.timers.map((t) => t.ms)).toEqual([2000]);
    h.timers.shift()!.fn();
    await flush();
    h.sockets[2]!.emit('connect');
    h.sockets[2]!.emit('disconnect', 'transport close');
    expect(h.timers.map((t) => t.ms)).toEqual([100]);
  });

  it('asks for a fresh token after the server refused the last one or ended the socket', async () => {
    const asked: (boolean | undefined)[] = [];
    const h = harness(() => null, async (options) => {
      asked.push(options?.fresh);
      return 'rt';
    });
    h.connection.start();
    await flush();
    h.sockets[0]!.emit('connect_error', refusal({ code: 'auth_expired', reason: 'realtime_token_expired', recoverable: true }));
    h.timers.shift()!.fn();
    await flush();
    h.sockets[1]!.emit('connect');
    h.sockets[1]!.emit('disconnect', 'transport close');
    h.timers.shift()!.fn();
    await flush();
    h.sockets[2]!.emit('connect');
    h.sockets[2]!.emit('disconnect', 'io server disconnect');
    h.timers.shift()!.fn();
    await flush();
    expect(asked).toEqual([false, true, false, true]);
  });

  it('stops for good on a refusal retrying cannot mend (origin not allowed)', async () => {
    const h = harness(() => null);
    h.connection.start();
    await flush();
    const refusal = Object.assign(new Error('no'), { data: { error: { code: 'invalid_origin', message: 'no', recoverable: false } } });
    h.sockets[0]!.emit('connect_error', refusal);
    expect(h.states).toContain('fatal');
    expect(h.timers).toHaveLength(0);
  });

  it('passes every server event on, and ignores a dropped socket\'s late events', async () => {
    const h = harness(() => null);
    h.connection.start();
    await flush();
    const envelope = { id: 'evt_1', type: 'message.created', createdAt: 'now', payload: {} };
    h.sockets[0]!.anyHandler!('message.created', envelope);
    expect(h.events).toEqual([envelope]);
    h.connection.stop();
    expect(h.sockets[0]!.anyHandler).toBeNull();
  });
});
