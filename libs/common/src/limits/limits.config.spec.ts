import { z } from 'zod';
import { rateEnv, realtimeLimitEnv } from './limits.config';

describe('rateEnv', () => {
  const rate = rateEnv('60/1m');

  it('reads points per window in s, m, h or d, with its default', () => {
    expect(rate.parse(undefined)).toEqual({ points: 60, seconds: 60 });
    expect(rate.parse('600/60s')).toEqual({ points: 600, seconds: 60 });
    expect(rate.parse('10/1h')).toEqual({ points: 10, seconds: 3600 });
    expect(rate.parse('2000/1d')).toEqual({ points: 2000, seconds: 86_400 });
  });

  it('refuses anything else', () => {
    for (const bad of ['60', '60/m', '0/1m', '5/0s', '1.5/1m', '60/1w']) expect(rate.safeParse(bad).success).toBe(false);
  });

  it('RATE_LIMIT_ADDRESS_REALTIME defaults to 60 a minute', () => {
    expect(z.object(realtimeLimitEnv).parse({})).toEqual({ RATE_LIMIT_ADDRESS_REALTIME: { points: 60, seconds: 60 } });
  });
});
