import { backoffDelay, retryAfterMs } from './backoff';

describe('backoffDelay', () => {
  const options = { baseMs: 500, maxMs: 8000, floorMs: 250 };

  it('doubles the ceiling per attempt up to the maximum, with full jitter above the floor', () => {
    const top = (attempt: number) => backoffDelay(attempt, { ...options, random: () => 1 });
    expect([0, 1, 2, 3, 4, 5, 6].map(top)).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect(backoffDelay(3, { ...options, random: () => 0 })).toBe(250);
    expect(backoffDelay(3, { ...options, random: () => 0.5 })).toBe(Math.round(250 + 0.5 * (4000 - 250)));
  });

  it('spreads a reconnect storm: different random draws give different delays', () => {
    const draws = [0.1, 0.4, 0.9].map((r) => backoffDelay(4, { ...options, random: () => r }));
    expect(new Set(draws).size).toBe(3);
    for (const d of draws) expect(d).toBeGreaterThanOrEqual(250);
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(retryAfterMs('3')).toBe(3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', () => now)).toBe(5000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
