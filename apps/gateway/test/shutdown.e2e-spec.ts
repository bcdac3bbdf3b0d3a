import { createTestWidget, RunningApp, Stack, startStack, TestWidget } from '@widget/testing';

/**
 * Graceful shutdown under steady load: a private stack (one gateway, one
 * session service), a second replica is started, load runs through the
 * gateway, the replica gets SIGTERM. Every request the system accepted must
 * succeed: the replica drains its NATS subscription and answers what it took.
 */
interface Load {
  ok: number;
  failures: string[];
  byTarget: Map<string, number>;
  stop(): Promise<void>;
}

function steadyLoad(widget: TestWidget, pickBaseUrl: () => string, concurrency = 16): Load {
  const load: Load = { ok: 0, failures: [], byTarget: new Map(), stop: async () => undefined };
  let running = true;
  const body = JSON.stringify({ workspaceId: widget.workspaceId, widgetId: widget.widgetId });
  const worker = async () => {
    while (running) {
      const baseUrl = pickBaseUrl();
      try {
        const res = await fetch(`${baseUrl}/widget/v1/sessions/anonymous`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: 'https://shop.example.com' },
          body,
        });
        const text = await res.text();
        if (res.status === 201) {
          load.ok++;
          load.byTarget.set(baseUrl, (load.byTarget.get(baseUrl) ?? 0) + 1);
        } else load.failures.push(`${res.status} ${text}`);
      } catch (err) {
        load.failures.push(`${baseUrl}: ${(err as Error).message}`);
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  load.stop = async () => {
    running = false;
    await Promise.all(workers);
  };
  return load;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds: the load has reached what the test needs, however slow the machine is today. */
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(50);
  }
}

/** Requests a process answered on NATS subjects, read from its own /metrics. */
async function natsRequestsServed(app: RunningApp): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('nats_request_duration_seconds_count{') && line.includes('subject="rpc.session.'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('graceful shutdown under load', () => {
  let stack: Stack;
  let widget: TestWidget;

  beforeAll(async () => {
    stack = await startStack({ services: ['session'], realtime: false });
    widget = await createTestWidget(stack);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('SIGTERM to a session replica: it drains, exits 0, and no accepted request fails', async () => {
    const replica = await stack.spawn('session');
    const load = steadyLoad(widget, () => stack.baseUrl);
    // Under way, on both replicas, before the SIGTERM (a fixed time may see neither on a loaded machine).
    await sleep(1500);
    await until(async () => load.ok > 50 && (await natsRequestsServed(replica)) > 0, 'load served, some of it by the replica');
    const servedByReplica = await natsRequestsServed(replica);
    const exitCode = await replica.stop('SIGTERM');
    await sleep(1000);
    await load.stop();

    expect(servedByReplica).toBeGreaterThan(0);
    expect(exitCode).toBe(0);
    expect(load.failures).toEqual([]);
    expect(load.ok).toBeGreaterThan(50);
  }, 30_000);

  it('SIGTERM to a gateway replica: readiness turns 503 at once, requests keep succeeding until routing moves, it exits 0', async () => {
    const gateway2 = await stack.spawn('gateway', { SHUTDOWN_DELAY_MS: '1500' });
    // A client-side balancer that, like Kubernetes endpoints, stops routing to a replica once it is not ready.
    let routable = true;
    let sawNotReady: { status: number; accepting?: boolean } | undefined;
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const res = await fetch(`${gateway2.url}/health/ready`).catch(() => undefined);
        if (res && res.status !== 200) {
          routable = false;
          sawNotReady ??= { status: res.status, accepting: ((await res.json()) as { checks?: { accepting?: boolean } }).checks?.accepting };
        }
        await sleep(100);
      }
    })();
    let turn = 0;
    const load = steadyLoad(widget, () => (routable && turn++ % 2 === 0 ? gateway2.url : stack.baseUrl));
    await sleep(1500);
    await until(() => (load.byTarget.get(gateway2.url) ?? 0) > 0, 'load through the second gateway');
    const exitCode = await gateway2.stop('SIGTERM');
    await sleep(500);
    await load.stop();
    probing = false;
    await prober;

    expect(exitCode).toBe(0);
    expect(sawNotReady).toEqual({ status: 503, accepting: false });
    expect(load.byTarget.get(gateway2.url)).toBeGreaterThan(0);
    expect(load.failures).toEqual([]);
  }, 30_000);
});
