import { ERROR_CATALOGUE, ErrorCode } from '@widget/contracts';

/** SPEC §3: every error code with its HTTP status, recoverability and default message (libs/contracts). */
export const ERROR_CODES = ERROR_CATALOGUE;
export type { ErrorCode };

export interface ErrorDetail {
  field: string;
  reason: string;
}

/** The shape that crosses NATS and that the gateway turns into the envelope. */
export interface WireError {
  code: ErrorCode;
  message: string;
  reason?: string;
  status: number;
  recoverable: boolean;
  details?: ErrorDetail[];
}

export interface AppErrorOptions {
  reason?: string;
  details?: ErrorDetail[];
  /** Overrides the code's default status (409 for a reused idempotency key, 503 upstream). */
  status?: number;
  /** When to try again, in seconds: Retry-After over HTTP, `retryAfter` in a socket's envelope (rate_limited, server_busy). */
  retryAfterSeconds?: number;
}

/** The one error type services throw; a domain error is a value with a code. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly recoverable: boolean;
  readonly reason?: string;
  readonly details?: ErrorDetail[];
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string = ERROR_CODES[code].message, options: AppErrorOptions = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code].status;
    this.recoverable = ERROR_CODES[code].recoverable;
    this.reason = options.reason;
    this.details = options.details;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toWire(): WireError {
    return {
      code: this.code,
      message: this.message,
      status: this.status,
      recoverable: this.recoverable,
      ...(this.reason !== undefined && { reason: this.reason }),
      ...(this.details !== undefined && { details: this.details }),
    };
  }

  static fromWire(wire: WireError): AppError {
    return new AppError(wire.code, wire.message, { reason: wire.reason, details: wire.details, status: wire.status });
  }

  static isWire(value: unknown): value is WireError {
    if (typeof value !== 'object' || value === null) return false;
    const { code, message } = value as Partial<WireError>;
    return typeof code === 'string' && code in ERROR_CODES && typeof message === 'string';
  }
}

export interface ErrorEnvelope {
  error: {
    code: ErrorCode;
    message: string;
    reason?: string;
    requestId: string;
    recoverable: boolean;
    details?: ErrorDetail[];
  };
}

export function toEnvelope(err: AppError, requestId: string): ErrorEnvelope {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.reason !== undefined && { reason: err.reason }),
      requestId,
      recoverable: err.recoverable,
      ...(err.details !== undefined && { details: err.details }),
    },
  };
}
