import { connect } from 'nats';
import { Client } from 'pg';
import type { NatsConnectOptions } from '../nats/connection';

const TIMEOUT_MS = 3000;
/** A failed first contact is tried again this many times, a second apart (a server still starting, a busy box). */
const ATTEMPTS = 3;
const RETRY_PAUSE_MS = 1000;

/**
 * Runs `attempt` until it succeeds, at most ATTEMPTS times: one refused or dropped connection at start-up (a server
 * that is still starting, or closed the socket while the machine was too busy to answer in time) does not end the
 * process. `final` errors (wrong credentials, a missing database) are not retried: trying again cannot fix them.
 */
async function withRetries(attempt: () => Promise<void>, final: (err: unknown) => boolean): Promise<void> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= ATTEMPTS || final(err)) throw err;
      await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
    }
  }
}

function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}

/** Fails within seconds, naming the URL and how to start the server, instead of hanging. */
export async function checkPostgres(databaseUrl: string): Promise<void> {
  try {
    await withRetries(
      async () => {
        const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: TIMEOUT_MS });
        try {
          await client.connect();
          await client.query('SELECT 1');
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      // A missing database or a refused login is the configuration's, not a moment's.
      (err) => ['3D000', '28P01', '28000'].includes((err as { code?: string }).code ?? ''),
    );
  } catch (err) {
    const database = new URL(databaseUrl).pathname.slice(1);
    const missingDb = (err as { code?: string }).code === '3D000';
    throw new Error(
      missingDb
        ? `PostgreSQL at ${redactUrl(databaseUrl)} has no database "${database}". Create it: createdb -h 127.0.0.1 -U postgres ${database}`
        : `Cannot reach PostgreSQL at ${redactUrl(databaseUrl)} (${(err as Error).message}). ` +
            'Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or run the whole stack with `docker compose up`, or set DATABASE_URL.',
    );
  }
}

export async function checkNats(options: NatsConnectOptions): Promise<void> {
  const natsUrl = options.servers.map(redactUrl).join(', ');
  try {
    await withRetries(
      async () => {
        const nc = await connect({ ...options, timeout: TIMEOUT_MS, reconnect: false });
        await nc.close();
      },
      (err) => (err as { code?: string }).code === 'AUTHORIZATION_VIOLATION',
    );
  } catch (err) {
    if ((err as { code?: string }).code === 'AUTHORIZATION_VIOLATION') {
      const who = options.user ? `user "${options.user}" (NATS_USER / NATS_PASSWORD)` : 'a connection without credentials (set NATS_PASSWORD)';
      throw new Error(`NATS at ${natsUrl} refused ${who}: its configuration must come from scripts/nats-config.js with the same passwords (docs/deployment.md).`);
    }
    throw new Error(
      `Cannot reach NATS at ${natsUrl} (${(err as Error).message}). ` +
        'Start it (nats-server -js) or run the whole stack with `docker compose up`, or set NATS_URL.',
    );
  }
}
