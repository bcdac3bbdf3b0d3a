import { AppError, loadConfig } from '@widget/common';
import { AuditContext, WEBHOOKS_PER_WORKSPACE_MAX } from '@widget/contracts';
import { newTestService, TestService } from '@widget/testing';
import { IntegrationsConfig, integrationsEnv } from '../src/config';
import { INTEGRATIONS_ENTITIES } from '../src/persistence/entities';
import { INTEGRATIONS_MIGRATIONS } from '../src/persistence/migrations';
import { DeliveryWorker } from '../src/webhooks/delivery-worker';
import { WebhooksModule } from '../src/webhooks/webhooks.module';
import { WebhooksService } from '../src/webhooks/webhooks.service';

let svc: TestService<IntegrationsConfig>;
let webhooks: WebhooksService;

/** The delivery worker, recording when it is told something is due (it sends nothing in a service test). */
let pokes = 0;
const worker = { poke: () => void (pokes += 1) };

const root: AuditContext = { actor: { kind: 'root', id: null }, requestId: 'req-webhooks-spec', address: null };
const workspace = (n: number) => `ws_${String(n).padStart(26, '0')}`;
const body = { url: 'https://hooks.shop.example/widget', events: ['message.created' as const, 'message.created' as const, 'conversation.created' as const] };

const reasonOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (e instanceof AppError ? (e.reason ?? e.code) : String(e)),
  );

const auditOf = async (targetId: string) =>
  (await svc.query<{ action: string }>(`SELECT action FROM integrations.audit_log WHERE target_id = $1 ORDER BY id`, [targetId])).map((a) => a.action);

beforeAll(async () => {
  svc = await newTestService({
    name: 'integrations',
    module: WebhooksModule,
    database: { schema: 'integrations', entities: INTEGRATIONS_ENTITIES, migrations: INTEGRATIONS_MIGRATIONS },
    config: (env) => loadConfig(integrationsEnv, env),
    overrides: [{ provide: DeliveryWorker, useValue: worker }],
  });
  webhooks = svc.get(WebhooksService);
});

afterAll(() => svc?.close());

it('a webhook is created at the clock’s time with the test’s ids; an Idempotency-Key retry shows the same secret (kept sealed) and writes nothing again; another request is 409', async () => {
  svc.clock.set('2026-07-01T08:00:00.000Z');
  const ws = workspace(1);
  const idempotency = { key: 'idem-webhook', requestHash: 'hash-a' };
  const created = await webhooks.create({ workspaceId: ws, body, audit: root, idempotency });
  expect(created).toEqual({
    webhook: {
      id: expect.stringMatching(/^wh_/),
      url: body.url,
      events: ['message.created', 'conversation.created'],
      description: null,
      enabled: true,
      disabledAt: null,
      disabledReason: null,
      createdAt: '2026-07-01T08:00:00.000Z',
      updatedAt: '2026-07-01T08:00:00.000Z',
    },
    secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
  });

  svc.clock.advance(60_000);
  expect(await webhooks.create({ workspaceId: ws, body, audit: root, idempotency })).toEqual(created);
  expect(await reasonOf(webhooks.create({ workspaceId: ws, body, audit: root, idempotency: { ...idempotency, requestHash: 'hash-b' } }))).toBe('idempotency_key_reused');
  expect(await svc.query(`SELECT id FROM integrations.webhooks WHERE workspace_id = $1`, [ws])).toEqual([{ id: created.webhook.id }]);
  expect(await auditOf(created.webhook.id)).toEqual(['webhook.created']);
  const [stored] = await svc.query<{ reply: unknown }>(`SELECT reply FROM integrations.idempotency_keys WHERE key = $1`, [idempotency.key]);
  expect(JSON.stringify(stored.reply)).not.toContain(created.secret.slice('whsec_'.length));
});

it('a workspace’s webhooks are capped, one create at a time', async () => {
  const ws = workspace(2);
  await Promise.all(Array.from({ length: WEBHOOKS_PER_WORKSPACE_MAX }, () => webhooks.create({ workspaceId: ws, body })));
  expect(await reasonOf(webhooks.create({ workspaceId: ws, body }))).toBe('too_many_webhooks');
  expect(await svc.query(`SELECT count(*)::int AS n FROM integrations.webhooks WHERE workspace_id = $1`, [ws])).toEqual([{ n: WEBHOOKS_PER_WORKSPACE_MAX }]);
});

it('a patch, a test delivery, a retry and a delete each commit with their audit entry; the worker is told when something is due', async () => {
  svc.clock.set('2026-07-02T08:00:00.000Z');
  const ws = workspace(3);
  const { webhook } = await webhooks.create({ workspaceId: ws, body, audit: root });

  svc.clock.advance(60_000);
  pokes = 0;
  const disabled = await webhooks.patch({ workspaceId: ws, webhookId: webhook.id, audit: root, body: { enabled: false, description: 'Shop' } });
  expect(disabled).toMatchObject({ enabled: false, disabledReason: 'disabled_by_operator', description: 'Shop', updatedAt: '2026-07-02T08:01:00.000Z' });
  expect(pokes).toBe(0);
  svc.clock.advance(60_000);
  const enabled = await webhooks.patch({ workspaceId: ws, webhookId: webhook.id, audit: root, body: { enabled: true } });
  expect(enabled).toMatchObject({ enabled: true, disabledReason: null, updatedAt: '2026-07-02T08:02:00.000Z' });
  expect(pokes).toBe(1);
  expect(await reasonOf(webhooks.patch({ workspaceId: workspace(4), webhookId: webhook.id, body: { enabled: false } }))).toBe('webhook_not_found');

  svc.clock.advance(60_000);
  const delivery = await webhooks.test({ workspaceId: ws, webhookId: webhook.id, audit: root });
  expect(delivery).toMatchObject({ id: expect.stringMatching(/^whd_/), webhookId: webhook.id, event: 'webhook.test', status: 'pending', attempts: 0 });
  expect(pokes).toBe(2);
  const [sent] = await svc.query<{ body: string }>(`SELECT body FROM integrations.webhook_deliveries WHERE id = $1`, [delivery.id]);
  expect(JSON.parse(sent.body)).toEqual({ type: 'webhook.test', timestamp: '2026-07-02T08:03:00.000Z', data: { webhookId: webhook.id } });

  const retried = await webhooks.retry({ workspaceId: ws, deliveryId: delivery.id, audit: root });
  expect(retried).toMatchObject({ id: delivery.id, status: 'pending' });
  expect(pokes).toBe(3);
  expect(await reasonOf(webhooks.retry({ workspaceId: workspace(4), deliveryId: delivery.id }))).toBe('delivery_not_found');

  expect(await webhooks.remove({ workspaceId: ws, webhookId: webhook.id, audit: root })).toEqual({ deleted: true });
  expect(await svc.query(`SELECT id FROM integrations.webhook_deliveries WHERE webhook_id = $1`, [webhook.id])).toEqual([]);
  expect(await reasonOf(webhooks.remove({ workspaceId: ws, webhookId: webhook.id }))).toBe('webhook_not_found');
  expect(await reasonOf(webhooks.test({ workspaceId: ws, webhookId: webhook.id }))).toBe('webhook_not_found');
  expect(await auditOf(webhook.id)).toEqual(['webhook.created', 'webhook.updated', 'webhook.updated', 'webhook.tested', 'webhook.deleted']);
  expect(await auditOf(delivery.id)).toEqual(['webhook.delivery_retried']);
});
