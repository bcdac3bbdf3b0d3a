import { encryptionKeyEnv, loadConfig, realtimeTokenSecretEnv, serviceEnv } from '@widget/common';
import { REALTIME_TOKEN_MAX_TTL_SECONDS } from '@widget/contracts';
import { z } from 'zod';

export const sessionEnv = serviceEnv.extend({
  /** Encrypts widget JWT secrets at rest. */
  SECRET_ENCRYPTION_KEY: encryptionKeyEnv,
  SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 86400).default(86400),
  /** At most REALTIME_TOKEN_MAX_TTL_SECONDS (the realtime service remembers revocations that long). */
  REALTIME_TOKEN_TTL_SECONDS: z.coerce.number().int().min(10).max(REALTIME_TOKEN_MAX_TTL_SECONDS).default(REALTIME_TOKEN_MAX_TTL_SECONDS),
  /** Signs realtime tokens; the realtime service verifies them with the same secret (docs/realtime.md). */
  ...realtimeTokenSecretEnv,
  JWT_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** An identity JWT whose exp lies further ahead than this is refused (invalid_token, reason lifetime_too_long). */
  IDENTITY_TOKEN_MAX_LIFETIME_SECONDS: z.coerce.number().int().min(60).max(31 * 86400).default(86400),
  /** How often expired realtime tokens and used JWT ids are deleted. */
  SESSION_MAINTENANCE_INTERVAL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(600_000),
  /** How often pending erasure parts (SPEC §17) are looked for and retried (each with its own backoff). */
  ERASURE_RETRY_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  /** GET /config's availability (SPEC §15): the longest wait for the team service's presence; then offline. */
  AVAILABILITY_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(500),
});
export type SessionConfig = z.infer<typeof sessionEnv>;

export const loadSessionConfig = () => loadConfig(sessionEnv);
