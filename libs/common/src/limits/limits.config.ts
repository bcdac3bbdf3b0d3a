import { z } from 'zod';

/** `<points>/<window>`: `30/1m`, `600/60s`, `10/1h`, `2000/1d`. */
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
const RATE = /^(\d+)\/(\d+)([smhd])$/;

export interface Rate {
  points: number;
  seconds: number;
}

/** One limit's variable (docs/limits.md), parsed once at start-up. */
export const rateEnv = (fallback: string) =>
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
 * Where the buckets live. Every gateway and realtime replica shares them
 * through Redis; RATE_LIMIT_KEY_PREFIX separates deployments (and test runs)
 * that share one Redis.
 */
export const limitStoreEnv = {
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  RATE_LIMIT_KEY_PREFIX: z.string().min(1).max(100).default('widget:rl:'),
};

/**
 * New realtime connections per client address (socket.io handshakes and plain
 * WebSocket upgrades), charged by the realtime service itself, so the limit
 * holds however a client reaches it (through the gateway, or an ingress
 * routing straight to it).
 */
export const realtimeLimitEnv = {
  RATE_LIMIT_ADDRESS_REALTIME: rateEnv('60/1m'),
};
