import { z } from 'zod';

/** `<points>/<window>`: `30/1m`, `600/60s`, `10/1h`, `2000/1d`. */
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
const RATE = /^(\d+)\/(\d+)([smhd])$/;

export interface Rate {
  points: number;
  seconds: number;
}

const rateEnv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => RATE.test(v), 'must look like 30/1m (points per window; s, m, h or d)')
    .transform((v): Rate => {
      const [, points, n, unit] = RATE.exec(v)!;
      return { points: Number(points), seconds: Number(n) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS] };
    })
    .refine((r) => r.points >= 1 && r.seconds >= 1, 'must allow at least 1 per window of at least 1 s');

/**
 * Every limit of docs/limits.md, one env variable each. Keys are shared by all
 * gateway replicas through Redis; RATE_LIMIT_KEY_PREFIX separates deployments
 * (and test runs) that share one Redis.
 */
export const limitsEnv = {
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  RATE_LIMIT_KEY_PREFIX: z.string().min(1).max(100).default('widget:rl:'),
  /** Widget requests from one client address without a valid session (made-up tokens included). */
  RATE_LIMIT_ADDRESS: rateEnv('300/1m'),
  /** Session creation (anonymous start, identify) per client address. */
  RATE_LIMIT_ADDRESS_SESSIONS: rateEnv('60/1m'),
  /** New realtime connections per client address: socket.io handshakes and plain WebSocket upgrades. */
  RATE_LIMIT_ADDRESS_REALTIME: rateEnv('60/1m'),
  /** Demo mode only: identity tokens from POST /demo/identity-token per client address. */
  RATE_LIMIT_ADDRESS_DEMO_TOKENS: rateEnv('10/1m'),
  /** Widget requests per session, any route. */
  RATE_LIMIT_SESSION: rateEnv('600/1m'),
  RATE_LIMIT_SESSION_CONVERSATIONS: rateEnv('20/1h'),
  RATE_LIMIT_SESSION_MESSAGES: rateEnv('60/1m'),
  RATE_LIMIT_SESSION_SUBMISSIONS: rateEnv('10/1h'),
  RATE_LIMIT_SESSION_AI_ANSWERS: rateEnv('30/1h'),
  /** Events per session, counted one point per event in the batch. */
  RATE_LIMIT_SESSION_EVENTS: rateEnv('600/1m'),
  /** Bytes of event batches per session. */
  RATE_LIMIT_SESSION_EVENT_BYTES: rateEnv('1048576/1m'),
  /** AI answers per workspace per UTC calendar day (a configured language model costs money). */
  RATE_LIMIT_WORKSPACE_AI_ANSWERS_PER_DAY: z.coerce.number().int().min(1).default(2000),
  /** Operator API requests per admin key (integrations post for many conversations). */
  RATE_LIMIT_ADMIN: rateEnv('6000/1m'),
};

export type LimitName =
  | 'address'
  | 'addressSessions'
  | 'addressRealtime'
  | 'addressDemoTokens'
  | 'session'
  | 'conversations'
  | 'messages'
  | 'submissions'
  | 'aiAnswers'
  | 'events'
  | 'eventBytes'
  | 'workspaceAiAnswers'
  | 'admin';
