import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { BatchFailures, DurableEventConsumer, findDomainEventHandlers, InjectConfig, InjectLogger, Metrics } from '@widget/common';
import { natsGrants } from '@widget/contracts';
import type { JsMsg } from 'nats';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { IntegrationsConfig } from '../config';
import { DomainEventHandler, InterestScope, OnDomainEventOptions, PulledEvent } from './on-domain-event';

interface Registered {
  /** `Class.method`: the key its handled events are recorded under. */
  name: string;
  run: DomainEventHandler<never>;
  wants?: (payload: unknown, scope: InterestScope) => boolean | Promise<boolean>;
}

/** Events handed to one batch (each still handled in transactions of its own). */
const BATCH = 64;

class BatchScope implements InterestScope {
  private readonly loaded = new Map<string, Promise<unknown>>();
  constructor(readonly events: readonly PulledEvent[]) {}
  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let found = this.loaded.get(key) as Promise<T> | undefined;
    if (!found) this.loaded.set(key, (found = load()));
    return found;
  }
}

/**
 * The integrations service's durable JetStream consumer of the domain events
 * (DurableEventConsumer in libs/common; docs/architecture.md). Handlers are
 * the `@OnDomainEvent` methods of the service's providers. For each pulled
 * batch, the handlers' interest checks (`wants`) run first, sharing what they
 * read; an event no handler wants is acknowledged with no transaction. Each
 * wanted (event, handler) runs in a transaction that records (handler, event
 * key) in `integrations.consumed_events`, so a redelivered event does nothing
 * twice. An event is acknowledged after every handler that wanted it
 * committed; one whose handler threw is offered again with backoff (the
 * others of its batch are not).
 */
@Injectable()
export class DomainEventConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly handlers = new Map<string, Registered[]>();
  private consumer: DurableEventConsumer | null = null;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectConfig() private readonly config: IntegrationsConfig,
    private readonly metrics: Metrics,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const consumes = (natsGrants().integrations.consumes ?? []).map((e) => e.subject);
    for (const found of findDomainEventHandlers<OnDomainEventOptions<object, never>>(this.discovery, this.scanner, consumes, 'integrations')) {
      const wants = found.options?.wants;
      const list = this.handlers.get(found.subject) ?? [];
      list.push({
        name: found.name,
        run: found.run as DomainEventHandler<never>,
        wants: wants && ((payload, scope) => wants(found.instance, payload as never, scope)),
      });
      this.handlers.set(found.subject, list);
    }
    this.consumer = await DurableEventConsumer.start({
      principal: 'integrations',
      env: this.config,
      metrics: this.metrics,
      logger: this.logger,
      batch: BATCH,
      lingerMs: this.config.INTEGRATIONS_EVENT_LINGER_MS,
      handle: (batch) => this.handleBatch(batch),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    // Stop pulling, finish the batch in hand; the events pulled but not handled are offered again at once.
    await this.consumer?.stop();
  }

  private async handleBatch(batch: JsMsg[]): Promise<BatchFailures> {
    const failures: BatchFailures = new Map();
    // The wire shape of every emit (NatsBus, the conversation outbox): { pattern, data }.
    const events = batch.map((msg) => {
      try {
        return { msg, subject: msg.subject, payload: msg.json<{ data: unknown }>().data };
      } catch (err) {
        failures.set(msg, err as Error);
        return null;
      }
    });
    const readable = events.filter((e): e is NonNullable<typeof e> => e !== null);
    const scope = new BatchScope(readable.map(({ subject, payload }) => ({ subject, payload })));
    for (const event of readable) {
      try {
        const wanted: Registered[] = [];
        for (const handler of this.handlers.get(event.subject) ?? []) {
          if (!handler.wants || (await handler.wants(event.payload, scope))) wanted.push(handler);
        }
        if (wanted.length > 0) await this.handle(event.msg, event.payload, wanted);
      } catch (err) {
        failures.set(event.msg, err as Error);
      }
    }
    return failures;
  }

  private async handle(msg: JsMsg, data: unknown, handlers: Registered[]): Promise<void> {
    const id = (data as { id?: unknown } | null)?.id;
    const eventKey = typeof id === 'string' ? id : `seq:${msg.seq}`;
    const committed: (() => void)[] = [];
    for (const handler of handlers) {
      await this.dataSource.transaction(async (manager) => {
        const claimed: unknown[] = await manager.query(
          `INSERT INTO integrations.consumed_events (handler, event_key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING handler`,
          [handler.name, eventKey],
        );
        if (claimed.length === 0) return;
        await handler.run(data as never, { manager, eventKey, subject: msg.subject, afterCommit: (fn) => committed.push(fn) });
      });
    }
    committed.forEach((fn) => fn());
  }
}
