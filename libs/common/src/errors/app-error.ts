/** SPEC §3: every error code with its HTTP status and whether a retry may help. */
export const ERROR_CODES = {
  validation_error: { status: 400, recoverable: false },
  message_invalid: { status: 400, recoverable: false },
  auth_required: { status: 401, recoverable: false },
  invalid_token: { status: 401, recoverable: false },
  auth_expired: { status: 401, recoverable: true },
  invalid_origin: { status: 403, recoverable: false },
  widget_disabled: { status: 403, recoverable: false },
  conversation_not_found: { status: 404, recoverable: false },
  article_not_found: { status: 404, recoverable: false },
  form_not_found: { status: 404, recoverable: false },
  not_found: { status: 404, recoverable: false },
  attachment_too_large: { status: 413, recoverable: false },
  rate_limited: { status: 429, recoverable: true },
  internal_error: { status: 500, recoverable: true },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

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
}

/** The one error type services throw; a domain error is a value with a code. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly recoverable: boolean;
  readonly reason?: string;
  readonly details?: ErrorDetail[];

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code].status;
    this.recoverable = ERROR_CODES[code].recoverable;
    this.reason = options.reason;
    this.details = options.details;
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
