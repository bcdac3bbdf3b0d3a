import { SessionRpc } from '@widget/contracts';
import {
  createTestWidget,
  harnessNatsOptions,
  openPlainSocket,
  openSocket,
  PlainSocket,
  recordNatsEvents,
  refusedHandshake,
  refusedPlainUpgrade,
  RunningApp,
  spawnApp,
  startAnonymous,
  testStack,
  TestWidget,
} from '@widget/testing';
import { randomUUID } from 'node:crypto';
import { connect, NatsConnection } from 'nats';
import type { Socket } from 'socket.io-client';

const stack = testStack();
jest.setTimeout(60_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The realtime service charges every new connection to the client address
 * itself (RATE_LIMIT_ADDRESS_REALTIME, docs/limits.md), before it looks up the
 * token, so the limit holds where nothing stands in front of it but an ingress
 * (Kubernetes routes /widget/v1/realtime straight to it). A replica of its own,
 * reached directly, with a low limit, its own buckets and TRUST_PROXY, so each
 * client address is an X-Forwarded-For of this test.
 */
describe('realtime, reached directly: new connections are rate limited per client address', () => {
  const BUDGET = 4;
  let realtime: RunningApp;
  let widget: TestWidget;
  let nc: NatsConnection;
  const io: Socket[] = [];
  const plain: PlainSocket[] = [];

  beforeAll(async () => {
    realtime = await spawnApp(stack, 'realtime', {
      RATE_LIMIT_ADDRESS_REALTIME: `${BUDGET}/1h`,
      TRUST_PROXY: 'true',
      RATE_LIMIT_KEY_PREFIX: `widget:rl:rtd${randomUUID().slice(0, 8)}:`,
    });
    widget = await createTestWidget(stack);
    nc = await connect(harnessNatsOptions(stack));
  });
  afterAll(async () => {
    io.forEach((s) => s.close());
    plain.forEach((s) => s.close());
    await nc?.close();
    await realtime?.stop();
  });

  it('made-up session tokens: the first ones are looked up and refused, then the address is refused before any lookup, by either protocol', async () => {
    const marker = randomUUID().replace(/-/g, '');
    const headers = { 'x-forwarded-for': '203.0.113.50' };
    // Every token lookup the realtime service asks of the session service for this test's tokens.
    const lookups = await recordNatsEvents<{ token?: string }>(nc, SessionRpc.authenticateRealtime.subject, (data) => data.token?.includes(marker) ?? false);

    const refusals = [];
    for (let i = 0; i < BUDGET + 3; i++) refusals.push((await refusedHandshake(realtime.url, { token: `wst_madeup${marker}${i}`, headers })).data.error);
    expect(refusals.map((e) => e.code)).toEqual([...Array(BUDGET).fill('invalid_token'), 'rate_limited', 'rate_limited', 'rate_limited']);
    const limited = refusals[BUDGET];
    expect(limited).toMatchObject({ code: 'rate_limited', reason: 'rate_limited', recoverable: true, requestId: expect.stringMatching(/^req_/) });
    expect(Number.isInteger(limited.retryAfter)).toBe(true);
    expect(limited.retryAfter).toBeGreaterThan(0);
    expect(limited.retryAfter).toBeLessThanOrEqual(3600);

    const upgrade = await refusedPlainUpgrade(realtime.url, { token: `wst_madeup${marker}plain`, headers });
    expect(upgrade.status).toBe(429);
    expect(upgrade.body.error).toMatchObject({ code: 'rate_limited', reason: 'rate_limited', recoverable: true });
    expect(upgrade.headers['x-request-id']).toBe(upgrade.body.error.requestId);
    expect(Number(upgrade.headers['retry-after'])).toBeGreaterThan(0);

    // The refused handshakes cost the session service nothing: only the first BUDGET tokens were looked up.
    await sleep(300);
    lookups.stop();
    expect(lookups.events.map((e) => e.token)).toEqual(Array.from({ length: BUDGET }, (_, i) => `wst_madeup${marker}${i}`));
  });

  it('a connection is charged once, however many requests it makes (polling); past the budget a valid token is refused too', async () => {
    const me = await startAnonymous(widget);
    const headers = { 'x-forwarded-for': '203.0.113.51' };
    const polling = await openSocket(realtime.url, { token: me.token, headers, transports: ['polling'] });
    io.push(polling);
    await sleep(300); // a few polls go by
    io.push(await openSocket(realtime.url, { token: me.token, headers }));
    plain.push(await openPlainSocket(realtime.url, { token: me.token, headers }));
    plain.push(await openPlainSocket(realtime.url, { token: me.token, headers }));
    const refused = await refusedHandshake(realtime.url, { token: me.token, headers });
    expect(refused.data.error).toMatchObject({ code: 'rate_limited', recoverable: true });
    expect((await refusedPlainUpgrade(realtime.url, { token: me.token, headers })).status).toBe(429);
    // The connections already open go on.
    expect(polling.connected).toBe(true);
    plain[0].send({ type: 'ping' });
    expect(await plain[0].next((f) => f.type === 'pong')).toEqual({ type: 'pong' });
  });

  it('another client address has its own budget', async () => {
    const me = await startAnonymous(widget);
    io.push(await openSocket(realtime.url, { token: me.token, headers: { 'x-forwarded-for': '203.0.113.52' } }));
    plain.push(await openPlainSocket(realtime.url, { token: me.token, headers: { 'x-forwarded-for': '203.0.113.52' } }));
  });
});
