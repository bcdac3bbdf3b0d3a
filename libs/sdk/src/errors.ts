/** Client-side codes beside the server's (SPEC §3): the SDK's own failures (`cancelled`: a send or upload aborted by its signal). */
export type ClientErrorCode = 'not_ready' | 'not_booted' | 'network_error' | 'storage_unavailable' | 'frame_unavailable' | 'cancelled';

export interface ErrorFields {
  code: string;
  message: string;
  reason?: string;
  requestId?: string;
  recoverable: boolean;
}

/** Every failure of the SDK rejects with this: the server's error envelope, or a client-side code. */
export class SupportChatError extends Error implements ErrorFields {
  readonly code: string;
  readonly reason?: string;
  readonly requestId?: string;
  readonly recoverable: boolean;
  /** Seconds the server asked to wait (429 / 503 Retry-After), when it said. */
  readonly retryAfter?: number;
  /** validation_error: which fields failed and why. */
  readonly details?: { field: string; reason: string }[];

  constructor(fields: ErrorFields & { retryAfter?: number; details?: { field: string; reason: string }[] }) {
    super(fields.message);
    this.name = 'SupportChatError';
    this.code = fields.code;
    this.recoverable = fields.recoverable;
    if (fields.reason !== undefined) this.reason = fields.reason;
    if (fields.requestId !== undefined) this.requestId = fields.requestId;
    if (fields.retryAfter !== undefined) this.retryAfter = fields.retryAfter;
    if (fields.details !== undefined) this.details = fields.details;
  }

  toJSON(): ErrorFields {
    const out: ErrorFields = { code: this.code, message: this.message, recoverable: this.recoverable };
    if (this.reason !== undefined) out.reason = this.reason;
    if (this.requestId !== undefined) out.requestId = this.requestId;
    return out;
  }

  static from(value: unknown): SupportChatError {
    if (value instanceof SupportChatError) return value;
    if (value && typeof value === 'object' && typeof (value as ErrorFields).code === 'string') return new SupportChatError(value as ErrorFields);
    return new SupportChatError({ code: 'network_error', message: value instanceof Error ? value.message : String(value), recoverable: true });
  }
}
