import { SupportChatError } from '../errors';
import { backoffDelay, BackoffOptions, retryAfterMs } from './backoff';

export interface HttpOptions {
  /** The API origin, e.g. https://support.example.com. */
  apiBase: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts for a recoverable failure (429, 5xx, network), the first included. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /** Longest Retry-After honoured; a longer one fails at once (the UI shows the wait). */
  maxRetryAfterMs?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  token?: string | null;
  /** false: one attempt only (e.g. shutdown on page unload). */
  retry?: boolean;
  /** Told before each wait, so the UI can say "retrying in 3 s". */
  onRetry?: (error: SupportChatError, delayMs: number, attempt: number) => void;
  /** 'blob': the reply's bytes (an attachment), not JSON. */
  as?: 'json' | 'blob';
  /** Sent with every attempt (an Idempotency-Key stays the same across the retries). */
  headers?: Record<string, string>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The widget API over fetch: the error envelope becomes SupportChatError;
 * recoverable failures are retried with exponential backoff and jitter, or
 * after the server's Retry-After when it sends one. A caller that must not
 * duplicate work on a retry sends an idempotency key (clientMessageId,
 * clientSubmissionId) in the body, which is kept across the attempts.
 */
export class HttpClient {
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffOptions;
  private readonly maxRetryAfterMs: number;

  constructor(private readonly options: HttpOptions) {
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = options.sleep ?? sleepFor;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoff = options.backoff ?? { baseMs: 500, maxMs: 8000, floorMs: 250 };
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const attempts = options.retry === false ? 1 : this.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(method, path, options);
      } catch (err) {
        const error = SupportChatError.from(err);
        if (!error.recoverable || attempt >= attempts || error.code === 'auth_expired') throw error;
        const asked = error.retryAfter !== undefined ? error.retryAfter * 1000 : undefined;
        if (asked !== undefined && asked > this.maxRetryAfterMs) throw error;
        const delay = asked ?? backoffDelay(attempt - 1, this.backoff);
        options.onRetry?.(error, delay, attempt);
        await this.sleep(delay);
      }
    }
  }

  private async once<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const url = new URL(path, this.options.apiBase);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { ...options.headers, accept: options.as === 'blob' ? '*/*' : 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await this.fetch(url.toString(), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        credentials: 'omit',
      });
    } catch (err) {
      throw new SupportChatError({ code: 'network_error', message: `The request could not be sent (${(err as Error).message}).`, recoverable: true });
    }
    if (response.ok && options.as === 'blob') return (await response.blob()) as T;
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
    throw errorFromResponse({ status: response.status, header: (name) => response.headers.get(name) }, text);
  }
}

/** A refused request's SupportChatError, from its status, headers and body (fetch or XMLHttpRequest alike). */
export function errorFromResponse(response: { status: number; header: (name: string) => string | null }, text: string): SupportChatError {
  const retryAfter = retryAfterMs(response.header('retry-after'));
  const seconds = retryAfter === undefined ? undefined : Math.ceil(retryAfter / 1000);
  try {
    const { error } = JSON.parse(text) as { error: { code: string; message: string; reason?: string; requestId?: string; recoverable: boolean } };
    return new SupportChatError({ ...error, retryAfter: seconds });
  } catch {
    return new SupportChatError({
      code: response.status >= 500 ? 'internal_error' : 'network_error',
      message: `The server answered ${response.status}.`,
      recoverable: response.status >= 500 || response.status === 429,
      requestId: response.header('x-request-id') ?? undefined,
      retryAfter: seconds,
    });
  }
}
