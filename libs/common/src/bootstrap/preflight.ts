import { connect } from 'nats';
import { Client } from 'pg';
import type { NatsConnectOptions } from '../nats/connection';

const TIMEOUT_MS = 3000;

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
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    const database = new URL(databaseUrl).pathname.slice(1);
    const missingDb = (err as { code?: string }).code === '3D000';
    throw new Error(
      missingDb
        ? `PostgreSQL at ${redactUrl(databaseUrl)} has no database "${database}". Create it: createdb -h 127.0.0.1 -U postgres ${database}`
        : `Cannot reach PostgreSQL at ${redactUrl(databaseUrl)} (${(err as Error).message}). ` +
            'Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or run the whole stack with `docker compose up`, or set DATABASE_URL.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function checkNats(options: NatsConnectOptions): Promise<void> {
  const natsUrl = options.servers.map(redactUrl).join(', ');
  try {
    const nc = await connect({ ...options, timeout: TIMEOUT_MS, reconnect: false });
    await nc.close();
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
