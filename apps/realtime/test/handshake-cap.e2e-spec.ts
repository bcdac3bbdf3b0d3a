import { createTestWidget, refusedHandshake, refusedPlainUpgrade, openSocket, RunningApp, spawnApp, startAnonymous, testStack, TestWidget } from '@widget/testing';
import { randomUUID } from 'node:crypto';
import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';

const stack = testStack();
jest.setTimeout(60_000);

/** A TCP proxy to Redis that can stop passing the client's bytes on (a silent stall), and let them through again. */
class StallingProxy {
  stalled = false;
  private readonly held: [Socket, Buffer][] = [];
  private readonly sockets = new Set<Socket>();
  private server!: Server;

  constructor(private readonly target: URL) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 6379), this.target.hostname);
      this.sockets.add(client).add(upstream);
      client.on('data', (data) => (this.stalled ? this.held.push([upstream, data]) : upstream.write(data)));
      upstream.on('data', (data) => client.write(data));
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** How many times `marker` occurs in the bytes held back so far (one per rate-limit command naming its key prefix). */
  heldCount(marker: string): number {
    return Buffer.concat(this.held.map(([, data]) => data)).toString('latin1').split(marker).length - 1;
  }

  resume(): void {
    this.stalled = false;
    for (const [upstream, data] of this.held.splice(0)) upstream.write(data);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * Issue 26: a realtime process checks at most REALTIME_HANDSHAKES_IN_FLIGHT handshakes at once and none for
 * longer than REALTIME_HANDSHAKE_TIMEOUT_MS; past either, the handshake is refused at once with the
 * recoverable 503 server_busy instead of waiting, with the client's turn in the process's queue as
 * `retryAfter` (AdmissionPacer). Here the handshakes hang on a stalled Redis (the
 * connection budget is charged first), through a proxy this spec owns.
 */
describe('realtime handshakes in flight are capped', () => {
  const proxy = new StallingProxy(new URL(stack.env.REDIS_URL));
  const keyPrefix = `widget:rl:cap${randomUUID().slice(0, 8)}:`;
  let realtime: RunningApp;
  let widget: TestWidget;

  beforeAll(async () => {
    const port = await proxy.start();
    realtime = await spawnApp(stack, 'realtime', {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REALTIME_HANDSHAKES_IN_FLIGHT: '2',
      // Turns half a second apart, so each refusal's retryAfter says where it stands in the queue.
      REALTIME_ADMISSIONS_PER_SECOND: '2',
      // Long enough that the refusals at once (a handshake and an upgrade, on a loaded machine) come well before it.
      REALTIME_HANDSHAKE_TIMEOUT_MS: '5000',
      RATE_LIMIT_KEY_PREFIX: keyPrefix,
    });
    widget = await createTestWidget(stack);
  });
  afterAll(async () => {
    await realtime?.stop();
    await proxy.stop();
  });

  it('past the cap: 503 server_busy at once; the ones in flight: server_busy at their deadline; then it connects again', async () => {
    const { token } = await startAnonymous(widget);
    proxy.stalled = true;
    const order: string[] = [];
    const attempt = (name: string) =>
      refusedHandshake(realtime.url, { token }).then((err) => {
        order.push(name);
        return err.data?.error;
      });
    // A handshake is in flight once it has charged its connection to Redis (it is counted first): the proxy then
    // holds its command back. The first is in flight before the second starts (so its deadline comes first), and
    // both before the third.
    const inFlight = async (count: number) => {
      const deadline = Date.now() + 20_000;
      while (proxy.heldCount(keyPrefix) < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(proxy.heldCount(keyPrefix)).toBe(count);
    };
    const first = attempt('first');
    await inFlight(1);
    const second = attempt('second');
    await inFlight(2);
    const third = await attempt('third');
    expect(third).toMatchObject({ code: 'internal_error', reason: 'server_busy', recoverable: true, requestId: expect.stringMatching(/^req_/) });
    // The first turn: half a second from now (REALTIME_ADMISSIONS_PER_SECOND does not hand out "now").
    expect(third!.retryAfter).toBe(0.5);
    const plain = await refusedPlainUpgrade(realtime.url, { token });
    expect(plain.status).toBe(503);
    expect(plain.body.error).toMatchObject({ code: 'internal_error', reason: 'server_busy', recoverable: true });
    // The next turn, half a second after the third's; HTTP's Retry-After in whole seconds, rounded up.
    expect(plain.headers['retry-after']).toBe('1');
    expect(order).toEqual(['third']);

    const [late, later] = await Promise.all([first, second]);
    for (const err of [late, later]) expect(err).toMatchObject({ code: 'internal_error', reason: 'server_busy', recoverable: true });
    expect(order).toEqual(['third', 'first', 'second']);
    // Refused at their deadline, seconds after the turns above passed: the queue starts again, one turn apart.
    expect(late!.retryAfter).toBe(0.5);
    expect(later!.retryAfter).toBeGreaterThan(0.5);
    expect(later!.retryAfter).toBeLessThanOrEqual(1);

    proxy.resume();
    const socket = await openSocket(realtime.url, { token });
    expect(socket.connected).toBe(true);
    socket.close();
  });
});
