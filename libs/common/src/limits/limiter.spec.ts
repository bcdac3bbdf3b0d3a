import { randomUUID } from 'node:crypto';
import { Limiter, RateLimitedError } from './limiter';

/** On the machine's Redis (REDIS_URL), under a key prefix of its own. */
describe('Limiter', () => {
  const keyPrefix = `widget:rl:unit${randomUUID().slice(0, 8)}:`;
  const limiter = new Limiter({ redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', keyPrefix, autoPipelining: true, rules: { tries: { points: 2, seconds: 60 }, quota: { perUtcDay: 1 } } });
  // Until it is connected, the limiter lets everything pass (no offline queue).
  beforeAll(async () => {
    if (limiter.redis.status !== 'ready') await new Promise((resolve) => limiter.redis.once('ready', resolve));
  });
  afterAll(() => limiter.onModuleDestroy());

  const refusal = (p: Promise<void>) => p.then(() => undefined, (err: unknown) => err);

  it('passes the points of a window, then refuses with the seconds until it ends', async () => {
    await limiter.consume('tries', 'a');
    await limiter.consume('tries', 'a');
    const err = await refusal(limiter.consume('tries', 'a'));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ code: 'rate_limited', reason: 'rate_limited', status: 429, recoverable: true, limit: 'tries' });
    expect((err as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((err as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(60);
    // Another key has a bucket of its own.
    await limiter.consume('tries', 'b');
  });

  it('keys the buckets <prefix><name>:<key>, so every app charging one name shares it', async () => {
    expect(await limiter.redis.get(`${keyPrefix}tries:b`)).toBe('1');
  });

  it('a daily quota refuses as quota_exceeded until the next UTC midnight', async () => {
    await limiter.consume('quota', 'ws');
    const err = (await refusal(limiter.consume('quota', 'ws'))) as RateLimitedError;
    expect(err).toMatchObject({ code: 'rate_limited', reason: 'quota_exceeded' });
    const untilMidnight = (Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`) + 86_400_000 - Date.now()) / 1000;
    expect(Math.abs(err.retryAfterSeconds - untilMidnight)).toBeLessThan(5);
  });

  it('consumeAll charges every bucket in one turn and throws the first refusal in its order', async () => {
    await limiter.consume('tries', 'all');
    await limiter.consume('tries', 'all');
    const err = (await refusal(
      limiter.consumeAll([
        { name: 'tries', key: 'all' },
        { name: 'quota', key: 'all' },
      ]),
    )) as RateLimitedError;
    expect(err).toMatchObject({ code: 'rate_limited', limit: 'tries', reason: 'rate_limited' });
    // The quota was charged too, although the window refused first.
    expect((await refusal(limiter.consume('quota', 'all'))) as RateLimitedError).toMatchObject({ limit: 'quota', reason: 'quota_exceeded' });
    await limiter.consumeAll([{ name: 'tries', key: 'all2' }, { name: 'tries', key: 'all2' }]);
    expect(await limiter.redis.get(`${keyPrefix}tries:all2`)).toBe('2');
  });

  it('lets requests pass when Redis does not answer', async () => {
    const down = new Limiter({ redisUrl: 'redis://127.0.0.1:1', keyPrefix, rules: { tries: { points: 1, seconds: 60 } } });
    try {
      await down.consume('tries', 'a');
      await down.consume('tries', 'a');
    } finally {
      down.onModuleDestroy();
    }
  });
});
