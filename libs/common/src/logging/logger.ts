import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

export interface RequestContext {
  requestId: string;
}

/** Carries the request id through async work, so every log line of a request names it. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

/**
 * Keys whose values never reach a log line: credentials, and the personal data
 * (message text, contact details, form values) a careless `{ ...payload }` would carry.
 * Not `subject`: request log lines name the NATS subject under that key.
 */
const SENSITIVE_KEYS = ['token', 'secret', 'password', 'pass', 'NATS_PASSWORD', 'authorization', 'email', 'name', 'text', 'phone', 'values', 'question', 'parameters', 'properties', 'metadata', 'customFields'];
const REDACT = [...SENSITIVE_KEYS, ...SENSITIVE_KEYS.map((k) => `*.${k}`), 'req.headers.authorization', 'headers.authorization', 'headers.cookie'];

interface LoggedError {
  type: string;
  message: string;
  stack?: string;
  code?: unknown;
  sqlState?: string;
  constraint?: string;
  table?: string;
  column?: string;
  query?: string;
  cause?: LoggedError;
}

/**
 * Errors as log fields, never with their data. A database error (TypeORM's
 * QueryFailedError, pg's DatabaseError) keeps its SQLSTATE, constraint, table,
 * column and the parameterised SQL text, and loses its bound parameters, the
 * driver's `detail` ("Key (email)=(…)") and any quoted value in its message
 * ('invalid input syntax for type uuid: "…"'). Other errors keep type, message,
 * code and stack only: no enumerable payload a library attached.
 */
export function serializeError(value: unknown, depth = 0): LoggedError | unknown {
  if (!(value instanceof Error)) return value;
  const err = value as Error & Record<string, unknown>;
  const driver = (err.driverError ?? err) as Record<string, unknown>;
  const isDatabase = 'driverError' in err || ('severity' in driver && typeof driver.code === 'string' && /^[0-9A-Z]{5}$/.test(driver.code));
  const message = isDatabase ? err.message.replace(/"[^"]*"/g, '"…"').replace(/\(([^)]*)\)=\([^)]*\)/g, '($1)=(…)') : err.message;
  const type = err.constructor?.name ?? err.name;
  const frames = (err.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  const out: LoggedError = { type, message, stack: [`${type}: ${message}`, ...frames].join('\n') };
  if (isDatabase) {
    for (const key of ['constraint', 'table', 'column'] as const) if (typeof driver[key] === 'string') out[key] = driver[key] as string;
    if (typeof driver.code === 'string') out.sqlState = driver.code;
    if (typeof err.query === 'string') out.query = err.query.slice(0, 2000);
  } else if (typeof err.code === 'string' || typeof err.code === 'number') {
    out.code = err.code;
  }
  if (err.cause instanceof Error && depth < 3) out.cause = serializeError(err.cause, depth + 1) as LoggedError;
  return out;
}

/** The app's pino logger (its `service` field names the app), injected wherever a class logs. */
export const LOGGER = Symbol('LOGGER');
export const InjectLogger = () => Inject(LOGGER);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * LOG_LEVEL, checked before any logger exists (pino's own refusal of a bad
 * level is a stack trace): a bad value is one clear line on stderr and exit 1.
 */
export function logLevelOrExit(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const value = env.LOG_LEVEL ?? 'info';
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  process.stderr.write(
    `${JSON.stringify({ level: 60, time: new Date().toISOString(), msg: `Invalid configuration:\n  - LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(value.slice(0, 40))})` })}\n`,
  );
  process.exit(1);
}

/** `destination`: stdout unless given (a spec's sink). */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Routes Nest's own log calls into pino, as JSON. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
