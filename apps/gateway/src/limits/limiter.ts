import { Limiter, RateLimitedError } from '@widget/common';
import type { FastifyReply } from 'fastify';
import type { GatewayConfig } from '../config';
import type { LimitName } from './limits.config';
import type { Logger } from 'pino';

/** Runs a charge; when it is refused, the reply carries Retry-After before the error goes on to become the envelope. */
export async function chargeReply(reply: FastifyReply, charge: () => Promise<void>): Promise<void> {
  try {
    await charge();
  } catch (err) {
    if (err instanceof RateLimitedError) void reply.header('Retry-After', String(err.retryAfterSeconds));
    throw err;
  }
}

/** The gateway's buckets (docs/limits.md), from its config; the guards inject it as Limiter. */
export function gatewayLimiter(config: GatewayConfig, logger?: Logger): Limiter<LimitName> {
  return new Limiter<LimitName>({
    logger,
    autoPipelining: true,
    redisUrl: config.REDIS_URL,
    keyPrefix: config.RATE_LIMIT_KEY_PREFIX,
    rules: {
      address: config.RATE_LIMIT_ADDRESS,
      addressSessions: config.RATE_LIMIT_ADDRESS_SESSIONS,
      addressDemoTokens: config.RATE_LIMIT_ADDRESS_DEMO_TOKENS,
      session: config.RATE_LIMIT_SESSION,
      conversations: config.RATE_LIMIT_SESSION_CONVERSATIONS,
      messages: config.RATE_LIMIT_SESSION_MESSAGES,
      submissions: config.RATE_LIMIT_SESSION_SUBMISSIONS,
      transcripts: config.RATE_LIMIT_SESSION_TRANSCRIPTS,
      aiAnswers: config.RATE_LIMIT_SESSION_AI_ANSWERS,
      addressAiAnswers: config.RATE_LIMIT_ADDRESS_AI_ANSWERS,
      uploads: config.RATE_LIMIT_SESSION_UPLOADS,
      uploadBytes: config.RATE_LIMIT_SESSION_UPLOAD_BYTES,
      events: config.RATE_LIMIT_SESSION_EVENTS,
      eventBytes: config.RATE_LIMIT_SESSION_EVENT_BYTES,
      workspaceAiAnswers: { perUtcDay: config.RATE_LIMIT_WORKSPACE_AI_ANSWERS_PER_DAY },
      admin: config.RATE_LIMIT_ADMIN,
      loginAddress: config.RATE_LIMIT_LOGIN_FAILURES_ADDRESS,
      loginEmail: config.RATE_LIMIT_LOGIN_FAILURES_EMAIL,
    },
  });
}
