/** Exponential backoff with full jitter: a random delay in [0, min(max, base·2^attempt)], never below `floor`. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** The smallest delay returned (a reconnect storm still spreads out). */
  floorMs?: number;
  random?: () => number;
}

export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  const floor = Math.min(options.floorMs ?? 0, ceiling);
  return Math.round(floor + random() * (ceiling - floor));
}

/** A Retry-After header value (delta-seconds or an HTTP date) in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now: () => number = Date.now): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now());
}
