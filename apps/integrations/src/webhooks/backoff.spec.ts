import { retryDelayMs } from './backoff';

describe('retryDelayMs (webhook retries, docs/api.md)', () => {
  const base = 5000;
  const window = 24 * 3_600_000;

  it('triples from the base after each failed attempt', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 0, 0, base, window))).toEqual([5000, 15_000, 45_000, 135_000]);
  });

  it('lands the last attempt at the end of the window, then gives up', () => {
    let now = 0;
    const waits: number[] = [];
    for (let attempts = 1; ; attempts++) {
      const wait = retryDelayMs(attempts, 0, now, base, window);
      if (wait === null) break;
      waits.push(wait);
      now += wait;
    }
    expect(now).toBe(window);
    expect(waits).toHaveLength(10);
    expect(retryDelayMs(11, 0, window, base, window)).toBeNull();
  });
});
