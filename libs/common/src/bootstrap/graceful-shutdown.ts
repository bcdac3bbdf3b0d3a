import { INestApplication } from '@nestjs/common';
import { CustomStrategy, NatsOptions, ServerNats } from '@nestjs/microservices';
import type { Msg, NatsConnection, Subscription } from 'nats';
import type { Logger } from 'pino';
import { z } from 'zod';
import { loadConfig } from '../config';
import type { NatsConnectOptions } from '../nats/connection';

/** How a process leaves: validated at start-up with the rest of the environment. */
export const shutdownEnv = z.object({
  /**
   * Time between SIGTERM (readiness turns false) and closing the listeners:
   * long enough for a load balancer or Kubernetes endpoints to stop routing
   * here. 0 where nothing routes by readiness (NATS services, local runs).
   */
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /** Work still in flight after this long is abandoned and the process exits 1. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(20_000),
});
export type ShutdownConfig = z.infer<typeof shutdownEnv>;
export const loadShutdownConfig = () => loadConfig(shutdownEnv);

/**
 * Nest's NATS server closes the connection at once (or, with gracefulShutdown,
 * waits a fixed 10 s): replies of handlers still running are lost. This one
 * drains its subscriptions (NATS stops routing the queue group's requests here
 * and hands them to the other replicas; messages already delivered are still
 * handled), waits until every accepted request has been answered, flushes the
 * replies, then closes.
 */
export class DrainingNatsServer extends ServerNats {
  private inFlight = 0;
  private readonly settlers = new WeakMap<Msg, () => void>();
  private idleWaiters: Array<() => void> = [];
  private connection?: NatsConnection;

  constructor(private readonly natsOptions: Required<NatsOptions>['options']) {
    super(natsOptions);
  }

  override bindEvents(client: NatsConnection): void {
    this.connection = client;
    super.bindEvents(client);
  }

  override async handleMessage(channel: string, message: Msg): Promise<unknown> {
    this.inFlight++;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      if (--this.inFlight === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
    };
    this.settlers.set(message, settle);
    try {
      return await super.handleMessage(channel, message);
    } finally {
      // Events (no reply subject) are done once their handler ran; requests when their reply is out.
      if (!message.reply) settle();
    }
  }

  override getPublisher(message: Msg, id: string, ctx: Parameters<ServerNats['getPublisher']>[2]): (response: unknown) => unknown {
    const publish = super.getPublisher(message, id, ctx);
    const settle = this.settlers.get(message);
    return (response: unknown) => {
      const result = publish(response);
      const packet = response as { isDisposed?: boolean; err?: unknown };
      if (packet.isDisposed || packet.err !== undefined) settle?.();
      return result;
    };
  }

  override async close(): Promise<void> {
    const connection = this.connection;
    if (connection && !connection.isClosed()) {
      // Nest keeps the subscriptions in a private field; draining them is the whole point of this class.
      const subscriptions = (this as unknown as { subscriptions: Subscription[] }).subscriptions;
      await Promise.all(subscriptions.map((sub) => (sub.isClosed() ? undefined : sub.drain().catch(() => undefined))));
      await this.idle();
      await connection.flush().catch(() => undefined);
    }
    await super.close();
  }

  /** Resolves when no accepted request is waiting for its reply. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get pending(): number {
    return this.inFlight;
  }
}

/** The NATS transport with draining shutdown; queue: replicas share requests, none: each gets every event. */
export function drainingNatsStrategy(connection: NatsConnectOptions, queue?: string): CustomStrategy {
  return {
    strategy: new DrainingNatsServer({ ...connection, queue, maxReconnectAttempts: -1, reconnectTimeWait: 250 }),
  };
}

export interface GracefulShutdownOptions {
  logger: Logger;
  config: ShutdownConfig;
  /** Runs first, synchronously: readiness turns false. */
  onSignal: () => void;
}

/**
 * SIGTERM/SIGINT: stop being ready, wait SHUTDOWN_DELAY_MS while still serving,
 * then app.close() (HTTP listener stops accepting and finishes its requests,
 * NATS subscriptions drain and their requests finish, then database and NATS
 * clients close), then exit. A second signal or the timeout exits at once.
 * Replaces app.enableShutdownHooks(), whose close starts before anyone stopped
 * routing here.
 */
export function installGracefulShutdown(app: INestApplication, options: GracefulShutdownOptions): void {
  const { logger, config } = options;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    options.onSignal();
    logger.info({ signal, delayMs: config.SHUTDOWN_DELAY_MS }, 'shutting down: not ready, finishing work in flight');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out: exiting with work in flight');
      process.exit(1);
    }, config.SHUTDOWN_DELAY_MS + config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    void new Promise((resolve) => setTimeout(resolve, config.SHUTDOWN_DELAY_MS))
      .then(() => app.close())
      .then(
        () => {
          logger.info('shutdown complete');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
