import { z } from 'zod';
import { exampleSecretProblems, secretEnv } from './secrets';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment once, at start-up; every problem names its variable. */
export function loadConfig<S extends z.ZodTypeAny>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  const problems = [...natsCredentialProblems(parsed.data), ...exampleSecretProblems(innerObject(schema)?.shape ?? {}, parsed.data)];
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

/** The object schema inside any `.refine()`/`.transform()` (each wraps it in a ZodEffects). */
function innerObject(schema: z.ZodTypeAny): z.AnyZodObject | undefined {
  let inner = schema;
  while (inner instanceof z.ZodEffects) inner = inner.innerType();
  return inner instanceof z.ZodObject ? inner : undefined;
}

/** The variables of an env schema, refined or not; throws for anything else, so a check over them never checks nothing. */
export function envShape(schema: z.ZodTypeAny): z.ZodRawShape {
  const object = innerObject(schema);
  if (!object) throw new TypeError(`not an env schema (a zod object, refined or not): ${schema.constructor.name}`);
  return object.shape;
}

/**
 * The NATS trust boundary (docs/deployment.md): in production every process
 * connects as its own NATS user, so a missing password stops it; NATS_USER
 * alone (no password) is always a mistake.
 */
function natsCredentialProblems(config: unknown): string[] {
  if (!config || typeof config !== 'object' || !('NATS_URL' in config)) return [];
  const { NODE_ENV, NATS_USER, NATS_PASSWORD } = config as { NODE_ENV?: string; NATS_USER?: string; NATS_PASSWORD?: string };
  if (NATS_PASSWORD) return [];
  if (NATS_USER) return ['NATS_PASSWORD: is required with NATS_USER'];
  if (NODE_ENV === 'production') return ['NATS_PASSWORD: is required in production (each process has its own NATS user; see docs/deployment.md)'];
  return [];
}

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.join(' or ')} URL`);

/** Environment shared by every process. */
export const baseEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NATS_URL: url(['nats:', 'tls:', 'ws:', 'wss:']).default('nats://127.0.0.1:4222'),
  /** This process's NATS user (default: its principal's name in this namespace, e.g. `gateway`) and password. */
  NATS_USER: z.string().min(1).max(128).optional(),
  NATS_PASSWORD: secretEnv(z.string().min(16, 'must be at least 16 characters').max(256).optional(), {
    generate: '`node scripts/nats-config.js --new-passwords FILE` (with the server\'s users) or `openssl rand -hex 24`',
  }),
  NATS_SUBJECT_PREFIX: z.string().regex(/^([A-Za-z0-9_-]+\.)*$/, 'must be empty or end with a dot, e.g. staging.').default(''),
  NATS_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(5000),
});

/** Environment of a service that owns a PostgreSQL schema and answers on NATS. */
export const serviceEnv = baseEnv.extend({
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/widget'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Port of the small HTTP server for probes and metrics. */
  HEALTH_PORT: port(0),
  RUN_MIGRATIONS: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});
export type ServiceEnv = z.infer<typeof serviceEnv>;

/**
 * SECRET_ENCRYPTION_KEY: 32 random bytes, base64. The session service seals widget JWT
 * secrets with it; the conversation service derives its attachment-link key from it (HKDF).
 */
export const encryptionKeyEnv = secretEnv(
  z
    .string({ required_error: 'is required (32 random bytes, base64: `openssl rand -base64 32`)' })
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (`openssl rand -base64 32`)'),
  { generate: '`openssl rand -base64 32`' },
);
export { port as portEnv, url as urlEnv };
