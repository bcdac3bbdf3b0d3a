import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { BatchFailures, DurableEventConsumer, findDomainEventHandlers, InjectConfig, InjectLogger, Metrics } from '@widget/common';
import type { Logger } from 'pino';
import { natsGrants } from '@widget/contracts';
import type { JsMsg } from 'nats';
import type { EventsConfig } from '../config';
import { EventsRepository, SystemRow } from '../persistence/events.repository';

type ToFact = (payload: unknown) => SystemRow | null;

/**
 * Lifecycle facts from the JetStream stream of domain events (docs/forms-events.md,
 * "Lifecycle facts"), through the events service's own durable consumer
 * (DurableEventConsumer, libs/common): an event published while every events
 * replica is down waits in the stream and is recorded when one is back.
 * Every pulled batch (at most EVENTS_LIFECYCLE_BATCH_MAX, whatever arrived
 * while the previous one was written) becomes one statement, whose id ledger
 * makes a redelivered fact a no-op; the batch is acknowledged once it
 * committed, and offered again with backoff when it failed.
 */
@Injectable()
export class LifecycleConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private readonly handlers = new Map<string, ToFact[]>();
  private consumer: DurableEventConsumer | null = null;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly repo: EventsRepository,
    private readonly metrics: Metrics,
    @InjectConfig() private readonly config: EventsConfig,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'LifecycleConsumer' });
  }

  async onApplicationBootstrap(): Promise<void> {
    const consumes = (natsGrants().events.consumes ?? []).map((e) => e.subject);
    for (const found of findDomainEventHandlers(this.discovery, this.scanner, consumes, 'events')) {
      this.handlers.set(found.subject, [...(this.handlers.get(found.subject) ?? []), found.run as unknown as ToFact]);
    }
    this.consumer = await DurableEventConsumer.start({
      logger: this.logger,
      principal: 'events',
      env: this.config,
      metrics: this.metrics,
      batch: this.config.EVENTS_LIFECYCLE_BATCH_MAX,
      lingerMs: this.config.EVENTS_LIFECYCLE_LINGER_MS,
      handle: (batch) => this.write(batch),
    });
  }

  /** Resolves once the batch being written now is (an erasure waits for it, so no fact of the person lands after). */
  settled(): Promise<void> {
    return this.consumer?.settled() ?? Promise.resolve();
  }

  async onApplicationShutdown(): Promise<void> {
    // Stop pulling and finish the batch in hand; the events pulled but not written are offered again at once.
    await this.consumer?.stop();
  }

  private async write(batch: JsMsg[]): Promise<BatchFailures> {
    const failures: BatchFailures = new Map();
    const rows = new Map<string, SystemRow>();
    for (const msg of batch) {
      try {
        // The wire shape of every emit (NatsBus, the conversation outbox): { pattern, data }.
        const { data } = msg.json<{ data: unknown }>();
        for (const toFact of this.handlers.get(msg.subject) ?? []) {
          const row = toFact(data);
          if (!row) continue;
          // A fact without a workspace would fail the whole statement (NOT NULL): refused alone (and acknowledged).
          if (typeof row.workspaceId !== 'string' || row.workspaceId === '') {
            this.logger.warn(`lifecycle fact ${row.eventId} has no workspace id; not recorded`);
            continue;
          }
          // The statement needs distinct ids: a redelivery within one batch is dropped here, across batches by the ledger.
          const key = `${row.workspaceId}\n${row.eventId}`;
          if (!rows.has(key)) rows.set(key, row);
        }
      } catch (err) {
        failures.set(msg, err as Error);
      }
    }
    await this.repo.insertSystem([...rows.values()]);
    return failures;
  }
}
