import { createTestWidget, openSocket, recordEvents, signIdentity, Stack, startAnonymous, startStack, TestWidget } from '@widget/testing';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { FlowContext, operatorFlow, operatorSetup, visitorFlow } from '../../gateway/test/contract/flows';

/**
 * The one-process mode (apps/server, TARGET=all) on a private stack: every app in one Node process, each
 * with its own NATS user, subjects and queue groups, as `npm run stack` runs it. The contract flows (the
 * visitor's and the operator's, apps/gateway/test/contract/flows.ts) run against it, a message reaches a
 * socket through the gateway's relay and realtime, and SIGTERM drains it.
 */
describe('one process (TARGET=all)', () => {
  let stack: Stack;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    stack = await startStack({ target: 'all' });
  }, 180_000);

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await stack?.stop();
  }, 60_000);

  it('runs every app in one process, each ready on its own port, the gateway ready with every service', async () => {
    expect(stack.apps.map((a) => a.name).sort()).toEqual(['conversation', 'events', 'forms', 'gateway', 'integrations', 'knowledge', 'realtime', 'session', 'team']);
    expect(new Set(stack.apps.map((a) => a.process.pid)).size).toBe(1);
    for (const app of stack.apps) {
      const res = await fetch(`${app.metricsUrl}/health/ready`);
      expect({ app: app.name, status: res.status, service: (await res.json()).service }).toEqual({ app: app.name, status: 200, service: app.name });
    }
    const ready = (await (await fetch(`${stack.baseUrl}/health/ready`)).json()) as { checks: Record<string, boolean> };
    expect(ready.checks).toEqual({ nats: true, session: true, team: true, conversation: true, knowledge: true, forms: true, events: true, integrations: true, accepting: true });
  });

  it('passes the visitor and operator contract flows', async () => {
    const ctx: FlowContext = {
      baseUrl: stack.baseUrl,
      origin: 'https://contract.example.com',
      adminKey: stack.adminKey,
      // Every reply's status is asserted by the flows; the document check is the contract spec's (apps/gateway/test).
      check: { onResponse: () => undefined },
      signIdentity: (widget, sub) => signIdentity(widget as TestWidget, { sub }, widget.secret),
    };
    const setup = await operatorSetup(ctx);
    const trail = await visitorFlow(ctx, setup);
    await operatorFlow(ctx, setup, trail);
  }, 120_000);

  it('pushes an agent message to the visitor’s socket (gateway → realtime in the same process, NATS inside it)', async () => {
    const widget = await createTestWidget(stack);
    const visitor = await startAnonymous(widget);
    const started = await widget.api.post('/conversations', { message: 'hello', clientMessageId: randomUUID() }, { token: visitor.token });
    expect(started.status).toBe(201);
    const socket = await openSocket(stack.baseUrl, { token: visitor.token });
    sockets.push(socket);
    const seen = recordEvents(socket, 'message.created');
    const sent = await widget.admin.post(`/conversations/${started.body.id}/messages`, { text: 'How can I help?', author: { id: 'op-1', name: 'Olga' } });
    expect(sent.status).toBe(201);
    while (!seen.some((e) => e.payload.message.id === sent.body.id)) await new Promise((r) => setTimeout(r, 20));
    // The gateway handed the upgrade to realtime's server in this process (no loopback relay), and realtime
    // saw it as coming through the gateway: the forwarded Host made the frame's origin its own.
    const metrics = await (await fetch(`${stack.gateway.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_realtime_upgrades_total\{[^}]*route="in_process"[^}]*\} [1-9]/m);
    expect(metrics).not.toMatch(/route="relayed"/);
  }, 30_000);

  it('refuses a bad TARGET and a bad LOG_LEVEL before starting anything, naming the variable (exit 1)', () => {
    const main = join(__dirname, '..', 'dist', 'main.js');
    const run = (env: Record<string, string>) => spawnSync(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
    const target = run({ TARGET: 'gateway,mailer' });
    expect(target.status).toBe(1);
    expect(target.stdout).toContain('TARGET: must be');
    const level = run({ LOG_LEVEL: 'verbose' });
    expect(level.status).toBe(1);
    expect(level.stderr).toContain('LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent');
  });

  it('SIGTERM: readiness drops, every app drains, the process exits 0', async () => {
    expect(await stack.gateway.stop('SIGTERM')).toBe(0);
  }, 60_000);
});
