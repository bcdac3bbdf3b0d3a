import { REALTIME_PATH } from '@widget/contracts';
import { createTestWidget, openPlainSocket, PlainSocket, refusedPlainUpgrade, RunningApp, spawnApp, startAnonymous, testStack, TEST_ORIGIN } from '@widget/testing';

const stack = testStack();
jest.setTimeout(60_000);

/**
 * New realtime connections through the gateway (socket.io handshakes and plain
 * WebSocket upgrades alike) are charged to the client address
 * (RATE_LIMIT_ADDRESS_REALTIME, docs/limits.md), before the realtime service
 * sees their token. A gateway of its own with a low limit, its own buckets and
 * TRUST_PROXY, so each client address is an X-Forwarded-For of this test.
 */
describe('gateway: realtime connections are rate limited per client address', () => {
  let gateway: RunningApp;
  const open: PlainSocket[] = [];

  beforeAll(async () => {
    gateway = await spawnApp(stack, 'gateway', { RATE_LIMIT_ADDRESS_REALTIME: '3/1h', TRUST_PROXY: 'true', RATE_LIMIT_KEY_PREFIX: `widget:rl:rt${Date.now()}:` });
  });
  afterAll(async () => {
    open.forEach((s) => s.close());
    await gateway?.stop();
  });

  const pollingHandshake = (address: string, sid?: string, body?: string) =>
    fetch(`${gateway.url}${REALTIME_PATH}/?EIO=4&transport=polling${sid ? `&sid=${sid}` : ''}`, {
      method: body ? 'POST' : 'GET',
      headers: { origin: TEST_ORIGIN, 'x-forwarded-for': address, ...(body ? { 'content-type': 'text/plain;charset=UTF-8' } : {}) },
      body,
    });

  it('plain WebSocket upgrades and socket.io handshakes share one budget; past it both are 429 with Retry-After', async () => {
    const widget = await createTestWidget(stack);
    const me = await startAnonymous(widget);
    const address = '203.0.113.7';
    const headers = { 'x-forwarded-for': address };

    open.push(await openPlainSocket(gateway.url, { token: me.token, headers }));
    open.push(await openPlainSocket(gateway.url, { token: me.token, headers }));
    const handshake = await pollingHandshake(address);
    expect(handshake.status).toBe(200);
    const { sid } = JSON.parse((await handshake.text()).slice(1)) as { sid: string };

    // The budget (3) is spent: a fourth new connection is refused, by either protocol, before realtime sees it.
    const refused = await refusedPlainUpgrade(gateway.url, { token: me.token, headers });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', reason: 'rate_limited', recoverable: true });
    expect(refused.headers['x-request-id']).toBe(refused.body.error.requestId);
    expect(Number.isInteger(Number(refused.headers['retry-after']))).toBe(true);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const polling = await pollingHandshake(address);
    expect(polling.status).toBe(429);
    expect(((await polling.json()) as { error: unknown }).error).toMatchObject({ code: 'rate_limited' });
    expect(Number(polling.headers.get('retry-after'))).toBeGreaterThan(0);

    // A connection already open is not charged again: its polling requests (with its sid) pass.
    const connect = await pollingHandshake(address, sid, '40');
    expect(connect.status).toBe(200);
    // The open sockets still work.
    open[0].send({ type: 'ping' });
    expect(await open[0].next((f) => f.type === 'pong')).toEqual({ type: 'pong' });
  });

  it('another client address has its own budget', async () => {
    const widget = await createTestWidget(stack);
    const me = await startAnonymous(widget);
    open.push(await openPlainSocket(gateway.url, { token: me.token, headers: { 'x-forwarded-for': '203.0.113.8' } }));
    expect((await pollingHandshake('203.0.113.8')).status).toBe(200);
  });
});
