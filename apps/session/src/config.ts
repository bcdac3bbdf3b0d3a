import { loadConfig, serviceEnv } from '@widget/common';
import { z } from 'zod';

export const sessionEnv = serviceEnv.extend({
  /** 32 random bytes, base64: encrypts widget JWT secrets at rest. */
  SECRET_ENCRYPTION_KEY: z
    .string({ required_error: 'is required (32 random bytes, base64: `openssl rand -base64 32`)' })
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded'),
  SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 86400).default(86400),
  REALTIME_TOKEN_TTL_SECONDS: z.coerce.number().int().min(10).max(300).default(300),
  JWT_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
});
export type SessionConfig = z.infer<typeof sessionEnv>;

export const loadSessionConfig = () => loadConfig(sessionEnv);
