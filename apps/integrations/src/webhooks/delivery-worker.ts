import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig, InjectLogger, Scheduler, SecretBox } from '@widget/common';
import type { Logger } from 'pino';
import type { IntegrationsConfig } from '../config';
import { retryDelayMs } from './backoff';
import { EndpointDisabledNotifier } from './endpoint-disabled.notifier';
import { attemptDelivery } from './sender';
import { DeliveryRow, WebhooksRepository } from './webhooks.repository';

/** Deliveries one endpoint gets in a row before its hold is given back (others' turn). */
const ROUND_MAX = 50;
/** An endpoint's hold outlives an attempt by this much; a replica that died mid-attempt lets go after it. */
const LEASE_MARGIN_MS = 5000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Sends the deliveries waiting in PostgreSQL (docs/api.md, "Webhooks"). Each
 * replica claims endpoints that have a delivery due (SKIP LOCKED, a lease per
 * endpoint), WEBHOOK_CONCURRENCY at a time, and works through each one's due
 * deliveries oldest first, one attempt at a time: a slow or dead endpoint holds
 * its own slot only, never chat (this runs outside every request path) nor
 * another endpoint. A failed attempt ends the endpoint's round; it is due again
 * by the backoff schedule, until the 24 h window is over: then the delivery
 * failed, the endpoint is disabled and its owners told.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private readonly box: SecretBox;
  private readonly inFlight = new Set<Promise<void>>();
  private polling = false;
  private stopped = false;

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly notifier: EndpointDisabledNotifier,
    @InjectConfig() private readonly config: IntegrationsConfig,
    private readonly scheduler: Scheduler,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'DeliveryWorker' });
    this.box = new SecretBox(config.SECRET_ENCRYPTION_KEY);
  }

  onApplicationBootstrap(): void {
    this.scheduler.every('webhook-poll', this.config.WEBHOOK_POLL_MS, () => this.poke(), { onStop: () => (this.stopped = true) });
    // The delivery log and the handled-event records do not grow without end; a redelivery older than the stream keeps events cannot come.
    this.scheduler.every('webhook-prune', PRUNE_EVERY_MS, () => this.repo.prune(this.config.WEBHOOK_LOG_RETENTION_DAYS, this.config.EVENT_STREAM_MAX_AGE_HOURS + 24));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    // Attempts in flight finish (at most WEBHOOK_TIMEOUT_MS); their endpoints are given back.
    await Promise.all([...this.inFlight]);
  }

  /** Something may be due now (a new delivery, a retry asked for): look without waiting for the timer. */
  poke(): void {
    if (this.polling || this.stopped) return;
    this.polling = true;
    void this.poll()
      .catch((err: Error) => this.logger.warn(`webhook poll failed: ${err.message}`))
      .finally(() => (this.polling = false));
  }

  private get leaseMs(): number {
    return this.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS;
  }

  private async poll(): Promise<void> {
    const free = this.config.WEBHOOK_CONCURRENCY - this.inFlight.size;
    if (free <= 0) return;
    const claimed = await this.repo.claimEndpoints(free, this.leaseMs);
    for (const endpoint of claimed) {
      const round = this.round(endpoint.id, endpoint.url, this.box.open(endpoint.secret_sealed))
        .catch((err: Error) => this.logger.warn(`webhook ${endpoint.id}: ${err.message}`))
        .finally(() => this.inFlight.delete(round));
      this.inFlight.add(round);
    }
  }

  private async round(webhookId: string, url: string, secret: string): Promise<void> {
    try {
      for (let n = 0; n < ROUND_MAX && !this.stopped; n++) {
        const delivery = await this.repo.nextDue(webhookId);
        if (!delivery) return;
        await this.repo.renew(webhookId, this.leaseMs);
        if (!(await this.attempt(delivery, url, secret))) return;
      }
    } finally {
      await this.repo.release(webhookId);
    }
  }

  /** One attempt, recorded; true when it succeeded. */
  private async attempt(delivery: DeliveryRow, url: string, secret: string): Promise<boolean> {
    const policy = { allowHttp: this.config.WEBHOOK_ALLOW_HTTP, allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE };
    const outcome = await attemptDelivery({ id: delivery.id, url, secret, body: delivery.body }, policy, this.config.WEBHOOK_TIMEOUT_MS);
    if (outcome.ok) {
      await this.repo.succeeded(delivery.id, outcome.status ?? 200);
      return true;
    }
    const first = delivery.first_attempt_at ? new Date(delivery.first_attempt_at).getTime() : Date.now();
    const retryIn = retryDelayMs(delivery.attempts + 1, first, Date.now(), this.config.WEBHOOK_RETRY_BASE_MS, this.config.WEBHOOK_RETRY_WINDOW_MS);
    const { disabled } = await this.repo.attemptFailed(delivery.id, { status: outcome.status, error: outcome.error }, retryIn);
    this.logger.info(`webhook delivery ${delivery.id} attempt ${delivery.attempts + 1} failed (${outcome.status ?? outcome.error})${retryIn === null ? ': gave up' : ''}`);
    if (disabled) await this.notifier.endpointDisabled(disabled);
    return false;
  }
}
