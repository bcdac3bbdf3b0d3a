import { OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import { AppError } from '../errors';
import { createLogger } from '../logging';
import type { Rate } from './limits.config';

export class RateLimitedError extends AppError {
  declare readonly retryAfterSeconds: number;

  constructor(
    readonly limit: string,
    retryAfterSeconds: number,
    reason: 'rate_limited' | 'quota_exceeded' = 'rate_limited',
  ) {
    super('rate_limited', 'Too many requests; retry later.', { reason, retryAfterSeconds });
  }
}

/** A window of `seconds`, or a quota per UTC calendar day (refused as `quota_exceeded`, Retry-After until midnight). */
export type LimitRule = Rate | { perUtcDay: number };

export interface LimiterOptions<Name extends string> {
  redisUrl: string;
  /** RATE_LIMIT_KEY_PREFIX; a bucket's key is `<prefix><name>:<key>`, the same in every app that charges it. */
  keyPrefix: string;
  rules: Record<Name, LimitRule>;
  /** The app's logger (default: one of its own, for specs). */
  logger?: Logger;
  /**
   * ioredis auto-pipelining: the buckets charged in one event-loop turn (consumeAll) share one socket write, and
   * what comes while a pipeline awaits its reply waits for the next one (the gateway: every request charges).
   */
  autoPipelining?: boolean;
}

/**
 * The limits of docs/limits.md, counted in Redis with rate-limiter-flexible
 * (one atomic Lua step per consume), so every replica of every app that
 * charges a bucket (the gateway, realtime) shares it. A window is fixed; when
 * it is spent, Retry-After is the time until it ends, which is when the next
 * request passes (there is no extra lock-out).
 *
 * If Redis does not answer, requests pass (logged): limits protect capacity,
 * and refusing every visitor while Redis restarts would be the larger outage.
 */
export class Limiter<Name extends string = string> implements OnModuleDestroy {
  readonly redis: Redis;
  private readonly limiters = new Map<Name, { limiter: RateLimiterRedis; daily: boolean }>();
  private lastStoreError = 0;
  private readonly logger: Logger;

  constructor(options: LimiterOptions<Name>) {
    this.logger = (options.logger ?? createLogger('limiter')).child({ component: 'Limiter' });
    this.redis = new Redis(options.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
      enableAutoPipelining: options.autoPipelining ?? false,
    });
    this.redis.on('error', () => undefined);
    for (const [name, rule] of Object.entries(options.rules) as [Name, LimitRule][]) {
      const daily = 'perUtcDay' in rule;
      // A daily bucket is keyed by its UTC day, so it resets at midnight; the key outlives the day by an hour, then expires.
      const [points, duration] = daily ? [rule.perUtcDay, 25 * 3600] : [rule.points, rule.seconds];
      this.limiters.set(name, { limiter: new RateLimiterRedis({ storeClient: this.redis, keyPrefix: `${options.keyPrefix}${name}`, points, duration }), daily });
    }
  }

  /** Takes `points` from the bucket of `key`, or throws 429 rate_limited with the seconds until the next one passes. */
  async consume(name: Name, key: string, points = 1): Promise<void> {
    const { limiter, daily } = this.limiters.get(name)!;
    const day = new Date().toISOString().slice(0, 10);
    try {
      await limiter.consume(daily ? `${key}:${day}` : key, points);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) return this.storeFailed(res);
      const ms = daily ? Date.parse(`${day}T00:00:00Z`) + 86_400_000 - Date.now() : res.msBeforeNext;
      throw new RateLimitedError(name, Math.max(1, Math.ceil(ms / 1000)), daily ? 'quota_exceeded' : 'rate_limited');
    }
  }

  /**
   * Takes a point from each bucket at once: with `autoPipelining`, one round
   * trip to Redis however many buckets. Every bucket is charged, even when an
   * earlier one refuses; the refusal thrown is the first in `charges`' order.
   */
  async consumeAll(charges: { name: Name; key: string; points?: number }[]): Promise<void> {
    const outcomes = await Promise.allSettled(charges.map((c) => this.consume(c.name, c.key, c.points)));
    const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (refused) throw refused.reason;
  }

  /**
   * Refuses (429) when the bucket of `key` is already spent, without taking
   * anything: for budgets charged only on failure (login attempts), where the
   * check comes before the attempt and the charge after it fails.
   */
  async refuseIfSpent(name: Name, key: string): Promise<void> {
    const { limiter, daily } = this.limiters.get(name)!;
    if (daily) throw new Error('refuseIfSpent is for windowed limits');
    let res: RateLimiterRes | null;
    try {
      res = await limiter.get(key);
    } catch (err) {
      return this.storeFailed(err);
    }
    if (res && res.consumedPoints >= limiter.points) throw new RateLimitedError(name, Math.max(1, Math.ceil(res.msBeforeNext / 1000)), 'rate_limited');
  }

  /** Takes a point like consume, but never refuses: the failure is counted, the refusal comes with the next check. */
  async charge(name: Name, key: string): Promise<void> {
    await this.consume(name, key).catch((err) => {
      if (!(err instanceof RateLimitedError)) throw err;
    });
  }

  private storeFailed(err: unknown): void {
    if (Date.now() - this.lastStoreError < 10_000) return;
    this.lastStoreError = Date.now();
    this.logger.warn(`rate limit store unavailable (${(err as Error)?.message}); requests pass unlimited`);
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
