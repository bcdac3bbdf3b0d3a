/** Each wait is this many times the one before (docs/api.md, "Webhooks": the schedule). */
export const BACKOFF_FACTOR = 3;

/**
 * When a delivery is tried again after its `attempts`-th failed attempt:
 * base·3^(attempts−1) after now, but never past the end of the retry window
 * (first attempt + window), so the last attempt lands at the window's end; null
 * once the window is over (the delivery failed for good). With the defaults
 * (5 s, 24 h): 5 s, 15 s, 45 s, 2 min 15 s, 6 min 45 s, 20 min 15 s, 1 h 45 s,
 * 3 h 2 min, 9 h 7 min, then the rest up to 24 h: 11 attempts.
 */
export function retryDelayMs(attempts: number, firstAttemptAt: number, now: number, baseMs: number, windowMs: number): number | null {
  const left = firstAttemptAt + windowMs - now;
  if (left <= 0) return null;
  return Math.min(baseMs * BACKOFF_FACTOR ** Math.max(0, attempts - 1), left);
}
