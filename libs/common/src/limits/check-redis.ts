import { Redis } from 'ioredis';

/** Start-up check like checkNats: the limits live in Redis, so an app that charges them refuses to start without it. */
export async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    const shown = new URL(url);
    shown.password = shown.password ? '***' : '';
    throw new Error(
      `Cannot reach Redis at ${shown.toString()} (${(err as Error).message}). ` +
        'Start it (redis-server) or run the whole stack with `docker compose up`, or set REDIS_URL.',
    );
  } finally {
    redis.disconnect();
  }
}
