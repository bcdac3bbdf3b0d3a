import { createHash } from 'node:crypto';
import { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import type { IdempotencyRequest } from '@widget/contracts';
import { AppError } from '../errors';

/** SPEC §9: a retry with the same Idempotency-Key within this window returns the first reply. */
export const IDEMPOTENCY_TTL_HOURS = 24;
const PURGE_EVERY_MS = 60 * 60_000;


/**
 * `work` in the caller's transaction when `manager` is one (the key's, from
 * `IdempotencyStore.run`), else in a transaction of its own: a create that
 * writes several rows commits them with its Idempotency-Key, or not at all.
 */
export function withinTransaction<T>(dataSource: DataSource, manager: EntityManager | undefined, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return manager?.queryRunner?.isTransactionActive ? work(manager) : dataSource.transaction(work);
}

/** A stable hash of a JSON value: object keys sorted, so key order does not matter. */
export function hashRequest(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The migration SQL of a service's own key table (one per schema: no service reads another's). */
export const idempotencyTableSql = {
  up: (schema: string) => `
    CREATE TABLE ${schema}.idempotency_keys (
      key text PRIMARY KEY,
      request_hash text NOT NULL,
      reply jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX idempotency_keys_created_idx ON ${schema}.idempotency_keys (created_at);`,
  down: (schema: string) => `DROP TABLE ${schema}.idempotency_keys;`,
};

/** The migration class creating a service's key table: `idempotencyKeysMigration('forms', 1733200000000)`. */
export function idempotencyKeysMigration(schema: string, timestamp: number): new () => MigrationInterface {
  const name = `${schema[0].toUpperCase()}${schema.slice(1)}IdempotencyKeys${timestamp}`;
  return class implements MigrationInterface {
    name = name;

    async up(q: QueryRunner): Promise<void> {
      await q.query(idempotencyTableSql.up(schema));
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(idempotencyTableSql.down(schema));
    }
  };
}

/** How a reply is kept under its key: a secret in it sealed, say (the default keeps the reply as it is). */
export interface StoredReply<T> {
  save(result: T): unknown;
  load(stored: unknown): T;
}

export const idempotencyKeyReused = () =>
  new AppError('validation_error', 'This Idempotency-Key was already used for a different request.', {
    status: 409,
    reason: 'idempotency_key_reused',
    details: [{ field: 'Idempotency-Key', reason: 'already used with a different request' }],
  });

/**
 * Operator creates made idempotent by the `Idempotency-Key` header, in the
 * service's own schema. The key is claimed by an INSERT in the same
 * transaction as the create: a concurrent retry's INSERT waits on the
 * claimer's row until it commits (then it finds the stored reply) or rolls
 * back (then it claims the key itself), so N concurrent identical requests
 * create exactly one thing. `work` must write through the manager it is
 * given, so the create and its key commit together: a crash between them
 * cannot leave a created thing whose key a retry does not find. A failed
 * create stores nothing: the retry runs it again. Keys older than 24 h count as absent and are purged hourly.
 */
export class IdempotencyStore {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
  ) {}

  /** `work` in a transaction of its own, under the key when one was sent. */
  run<T>(request: IdempotencyRequest | undefined, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!request) return work(this.dataSource.manager);
    return this.dataSource.transaction((manager) => this.runIn(manager, request, work).then((r) => r.result));
  }

  /** Inside the caller's transaction: the stored reply when the key was used, else `work` and its reply stored. */
  async runIn<T>(
    manager: EntityManager,
    request: IdempotencyRequest,
    work: (manager: EntityManager) => Promise<T>,
    stored?: StoredReply<T>,
  ): Promise<{ result: T; replayed: boolean }> {
    const claimed: unknown[] = await manager.query(
      `INSERT INTO ${this.schema}.idempotency_keys AS k (key, request_hash) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET request_hash = EXCLUDED.request_hash, reply = NULL, created_at = now()
         WHERE k.created_at < now() - interval '${IDEMPOTENCY_TTL_HOURS} hours'
       RETURNING key`,
      [request.key, request.requestHash],
    );
    if (claimed.length === 0) {
      const rows: { request_hash: string; reply: unknown }[] = await manager.query(
        `SELECT request_hash, reply FROM ${this.schema}.idempotency_keys WHERE key = $1`,
        [request.key],
      );
      if (rows[0].request_hash !== request.requestHash) throw idempotencyKeyReused();
      return { result: stored ? stored.load(rows[0].reply) : (rows[0].reply as T), replayed: true };
    }
    const result = await work(manager);
    await manager.query(`UPDATE ${this.schema}.idempotency_keys SET reply = $2::jsonb WHERE key = $1`, [request.key, JSON.stringify(stored ? stored.save(result) : result)]);
    return { result, replayed: false };
  }

  async purge(): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `DELETE FROM ${this.schema}.idempotency_keys WHERE created_at < now() - interval '${IDEMPOTENCY_TTL_HOURS} hours' RETURNING key`,
    );
    return Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
  }

  /** Nest lifecycle: the hourly purge, started with the service and stopped with it. */
  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge().catch(() => undefined), PURGE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}

/** The Nest provider of a service's store: `providers: [idempotencyProvider('forms')]`. */
export function idempotencyProvider(schema: string) {
  return {
    provide: IdempotencyStore,
    useFactory: (dataSource: DataSource) => new IdempotencyStore(dataSource, schema),
    inject: [DataSource],
  };
}
