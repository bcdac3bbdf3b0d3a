import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppError, InjectConfig } from '@widget/common';
import { Redis } from 'ioredis';
import type { FastifyReply } from 'fastify';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { GatewayConfig } from '../config';
import type { LimitName, Rate } from './limits.config';

export class RateLimitedError extends AppError {
  constructor(
    readonly limit: LimitName,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', 'Too many requests; retry later.', { reason: limit === 'workspaceAiAnswers' ? 'quota_exceeded' : 'rate_limited' });
  }
}

/** Runs a charge; when it is refused, the reply carries Retry-After before the error goes on to become the envelope. */
export async function chargeReply(reply: FastifyReply, charge: () => Promise<void>): Promise<void> {
  try {
    await charge();
  } catch (err) {
    if (err instanceof RateLimitedError) void reply.header('Retry-After', String(err.retryAfterSeconds));
    throw err;
  }
}

/**
 * The limits, counted in Redis with rate-limiter-flexible (one atomic Lua
 * step per consume), so every gateway replica shares each bucket. A window is
 * fixed; when it is spent, Retry-After is the time until it ends, which is
 * when the next request passes (there is no extra lock-out).
 *
 * If Redis does not answer, requests pass (logged): limits protect capacity,
 * and refusing every visitor while Redis restarts would be the larger outage.
 */
@Injectable()
export class Limiter implements OnModuleDestroy {
  readonly redis: Redis;
  private readonly limiters = new Map<LimitName, RateLimiterRedis>();
  private lastStoreError = 0;
  private readonly logger = new Logger('Limiter');

  constructor(@InjectConfig() private readonly config: GatewayConfig) {
    this.redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on('error', () => undefined);
    const rates: Record<Exclude<LimitName, 'workspaceAiAnswers'>, Rate> = {
      address: config.RATE_LIMIT_ADDRESS,
      addressSessions: config.RATE_LIMIT_ADDRESS_SESSIONS,
      addressRealtime: config.RATE_LIMIT_ADDRESS_REALTIME,
      addressDemoTokens: config.RATE_LIMIT_ADDRESS_DEMO_TOKENS,
      session: config.RATE_LIMIT_SESSION,
      conversations: config.RATE_LIMIT_SESSION_CONVERSATIONS,
      messages: config.RATE_LIMIT_SESSION_MESSAGES,
      submissions: config.RATE_LIMIT_SESSION_SUBMISSIONS,
      aiAnswers: config.RATE_LIMIT_SESSION_AI_ANSWERS,
      events: config.RATE_LIMIT_SESSION_EVENTS,
      eventBytes: config.RATE_LIMIT_SESSION_EVENT_BYTES,
      admin: config.RATE_LIMIT_ADMIN,
    };
    for (const [name, rate] of Object.entries(rates) as [LimitName, Rate][]) {
      this.limiters.set(name, this.limiter(name, rate.points, rate.seconds));
    }
    // Keyed by UTC day, so the quota resets at midnight; the key outlives the day by an hour, then expires.
    this.limiters.set('workspaceAiAnswers', this.limiter('workspaceAiAnswers', config.RATE_LIMIT_WORKSPACE_AI_ANSWERS_PER_DAY, 25 * 3600));
  }

  private limiter(name: LimitName, points: number, duration: number): RateLimiterRedis {
    return new RateLimiterRedis({ storeClient: this.redis, keyPrefix: `${this.config.RATE_LIMIT_KEY_PREFIX}${name}`, points, duration });
  }

  /** Takes `points` from the bucket of `key`, or throws 429 rate_limited with the seconds until the next one passes. */
  async consume(name: LimitName, key: string, points = 1): Promise<void> {
    const limiter = this.limiters.get(name)!;
    const day = new Date().toISOString().slice(0, 10);
    const bucket = name === 'workspaceAiAnswers' ? `${key}:${day}` : key;
    try {
      await limiter.consume(bucket, points);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) return this.storeFailed(res);
      const ms = name === 'workspaceAiAnswers' ? Date.parse(`${day}T00:00:00Z`) + 86_400_000 - Date.now() : res.msBeforeNext;
      throw new RateLimitedError(name, Math.max(1, Math.ceil(ms / 1000)));
    }
  }

  private storeFailed(err: unknown): void {
    if (Date.now() - this.lastStoreError < 10_000) return;
    this.lastStoreError = Date.now();
    this.logger.warn(`rate limit store unavailable (${(err as Error)?.message}); requests pass unlimited`);
  }

  async onModuleDestroy(): Promise<void> {
    this.redis.disconnect();
  }
}
