import { REALTIME_PATH } from '@widget/contracts';
import {
  createTestWidget,
  openPlainSocket,
  openSocket,
  PlainSocket,
  refusedHandshake,
  refusedPlainUpgrade,
  RunningApp,
  spawnApp,
  startAnonymous,
  testStack,
  TEST_ORIGIN,
} from '@widget/testing';
import type { Socket } from 'socket.io-client';

const stack = testStack();
jest.setTimeout(60_000);

/**
 * New realtime connections through the gateway (socket.io handshakes and plain
 * WebSocket upgrades alike) are charged to the client address once, by the
 * realtime service (RATE_LIMIT_ADDRESS_REALTIME, docs/limits.md), before it
 * looks up their token; the gateway relays the address (X-Forwarded-For) and
 * the refusal. A realtime replica and a gateway of their own, with a low limit,
 * their own buckets and TRUST_PROXY, so each client address is an
 * X-Forwarded-For of this test.
 */
describe('gateway: realtime connections are rate limited per client address', () => {
  let realtime: RunningApp;
  let gateway: RunningApp;
  const plain: PlainSocket[] = [];
  const io: Socket[] = [];

  beforeAll(async () => {
    realtime = await spawnApp(stack, 'realtime', { RATE_LIMIT_ADDRESS_REALTIME: '3/1h', TRUST_PROXY: 'true', RATE_LIMIT_KEY_PREFIX: `widget:rl:rt${Date.now()}:` });
    gateway = await spawnApp(stack, 'gateway', { TRUST_PROXY: 'true', REALTIME_URL: realtime.url });
  });
  afterAll(async () => {
    plain.forEach((s) => s.close());
    io.forEach((s) => s.close());
    await gateway?.stop();
    await realtime?.stop();
  });

  const poll = (address: string, sid: string, body?: string) =>
    fetch(`${gateway.url}${REALTIME_PATH}/?EIO=4&transport=polling&sid=${sid}`, {
      method: body ? 'POST' : 'GET',
      headers: { origin: TEST_ORIGIN, 'x-forwarded-for': address, ...(body ? { 'content-type': 'text/plain;charset=UTF-8' } : {}) },
      body,
    });

  it('plain WebSocket upgrades and socket.io handshakes share one budget, charged once each; past it both are refused rate_limited', async () => {
    const widget = await createTestWidget(stack);
    const me = await startAnonymous(widget);
    const headers = { 'x-forwarded-for': '203.0.113.7' };

    plain.push(await openPlainSocket(gateway.url, { token: me.token, headers }));
    plain.push(await openPlainSocket(gateway.url, { token: me.token, headers }));
    const polling = await openSocket(gateway.url, { token: me.token, headers, transports: ['polling'] });
    io.push(polling);

    // The budget (3) is spent, each connection charged once (the relay does not charge): a fourth is refused, by either protocol.
    const refused = await refusedPlainUpgrade(gateway.url, { token: me.token, headers });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', reason: 'rate_limited', recoverable: true });
    expect(refused.headers['x-request-id']).toBe(refused.body.error.requestId);
    expect(Number.isInteger(Number(refused.headers['retry-after']))).toBe(true);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const handshake = await refusedHandshake(gateway.url, { token: me.token, headers });
    expect(handshake.data.error).toMatchObject({ code: 'rate_limited', reason: 'rate_limited', recoverable: true });
    expect(handshake.data.error.retryAfter).toBeGreaterThan(0);

    // A connection already open is not charged again: its polling requests (with its sid) pass, and the sockets work.
    expect((await poll('203.0.113.7', polling.io.engine.id, '6')).status).toBe(200);
    expect(polling.connected).toBe(true);
    plain[0].send({ type: 'ping' });
    expect(await plain[0].next((f) => f.type === 'pong')).toEqual({ type: 'pong' });
  });

  it('another client address has its own budget', async () => {
    const widget = await createTestWidget(stack);
    const me = await startAnonymous(widget);
    const headers = { 'x-forwarded-for': '203.0.113.8' };
    plain.push(await openPlainSocket(gateway.url, { token: me.token, headers }));
    io.push(await openSocket(gateway.url, { token: me.token, headers, transports: ['polling'] }));
  });

  it('without TRUST_PROXY on the gateway, an X-Forwarded-For of the client is not passed on as its address', async () => {
    const edge = await spawnApp(stack, 'gateway', { REALTIME_URL: realtime.url });
    try {
      const widget = await createTestWidget(stack);
      const me = await startAnonymous(widget);
      // 203.0.113.7 is spent above; from this gateway's view the client is 127.0.0.1, whatever it claims.
      plain.push(await openPlainSocket(edge.url, { token: me.token, headers: { 'x-forwarded-for': '203.0.113.7' } }));
    } finally {
      await edge.stop();
    }
  });
});
