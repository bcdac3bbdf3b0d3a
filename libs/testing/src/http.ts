import { recordSensitive, sensitiveStrings } from './log-audit';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  origin?: string | null;
  headers?: Record<string, string>;
  /** A raw body string (malformed JSON tests); otherwise `body` is JSON-encoded. */
  raw?: string;
}

/** A thin fetch wrapper: JSON in, JSON out, status and headers kept for assertions. */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly defaultOrigin: string | null = null,
  ) {}

  get<T = any>(path: string, options: RequestOptions = {}) {
    return this.request<T>('GET', path, undefined, options);
  }
  post<T = any>(path: string, body?: unknown, options: RequestOptions = {}) {
    return this.request<T>('POST', path, body, options);
  }
  put<T = any>(path: string, body?: unknown, options: RequestOptions = {}) {
    return this.request<T>('PUT', path, body, options);
  }
  patch<T = any>(path: string, body?: unknown, options: RequestOptions = {}) {
    return this.request<T>('PATCH', path, body, options);
  }
  delete<T = any>(path: string, options: RequestOptions = {}) {
    return this.request<T>('DELETE', path, undefined, options);
  }

  async request<T>(method: string, path: string, body: unknown, options: RequestOptions): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const origin = options.origin === undefined ? this.defaultOrigin : options.origin;
    if (origin) headers.origin = origin;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    // The suite-wide log audit (log-audit.ts) searches every process log for these after the run.
    recordSensitive(options.token, ...(body !== undefined ? sensitiveStrings(body) : []));
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload });
    const text = await res.text();
    let parsed: any = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    // The tokens and secrets a reply hands out (not its error messages, which are no one's data).
    recordSensitive(parsed?.token, parsed?.secret, parsed?.inviteToken);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }
}


/**
 * SPEC §3, asserted once for every spec: the status and code (reported together), the reason when given,
 * a JSON body that is only `{ error }` with a string message and a boolean `recoverable`, a request id of the
 * right shape echoed in `X-Request-Id`, and no stack trace or SQL in the text.
 */
export function expectEnvelope(res: Pick<ApiResponse, 'status' | 'body' | 'headers'> & { text?: string }, status: number, code: string, reason?: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  if (reason !== undefined) expect(res.body.error.reason).toBe(reason);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(typeof res.body.error.message).toBe('string');
  expect(typeof res.body.error.recoverable).toBe('boolean');
  expect(res.body.error.requestId).toMatch(/^req_[0-9A-Z]{26}$/);
  expect(res.headers.get('x-request-id')).toBe(res.body.error.requestId);
  if (res.text) expect(res.text).not.toMatch(/at .+\.js:\d+|SELECT |INSERT /);
}
