import type { Provider } from '@nestjs/common';
import type { IdempotencyRequest, IdKind } from '@widget/contracts';
import type { PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, SystemClock } from '../clock';
import { Ids, UlidIds } from '../ids';
import { IdempotencyStore, StoredReply } from './idempotency';

/** What a repository runs SQL on: a unit of work's transaction (a Tx), or the pool for a read. */
export interface Queryable {
  query<T = any>(sql: string, params?: unknown[]): Promise<T>;
}

/** An event of the service's outbox: written in the write's transaction, published once it committed. */
export interface OutboxEvent {
  id: string;
  /** The key of the service's event table in @widget/contracts (never a raw subject). */
  event: string;
  payload: unknown;
}

/** A service's outbox as the unit of work sees it (the conversation service's: its outbox table and relay). */
export abstract class Outbox {
  /** Writes the rows through `tx` (the write's transaction). */
  abstract insert(rows: OutboxEvent[], tx: Queryable): Promise<void>;
  /** After commit: hands the rows to the relay (the poller publishes whatever this misses). */
  abstract publishCommitted(rows: OutboxEvent[]): void;
}

/**
 * The one transaction of a write, as domain code sees it: SQL through the
 * repositories it is passed to, the time and new ids (injected Clock and
 * Ids), and the events the write announces. No ORM type crosses it.
 */
export interface Tx extends Queryable {
  /**
   * A hot statement of this transaction as a named prepared statement
   * (preparedQuery's reasons, docs/benchmarks.md): parsed, and for a fixed
   * plan planned, once per pooled connection. Answers the rows.
   */
  prepared<T>(name: string, text: string, values: unknown[]): Promise<T[]>;
  now(): Date;
  newId(kind: IdKind): string;
  /** Into the outbox with this transaction, published after commit. */
  emit(...events: OutboxEvent[]): void;
  /** Events a repository's own statement wrote to the outbox already (one round trip for a send): published after commit only. */
  emitStored(...events: OutboxEvent[]): void;
  /** Runs once the transaction committed (never when it rolled back). */
  afterCommit(fn: () => void): void;
}

export interface UnitOfWorkOptions<T> {
  /** The operator's Idempotency-Key (SPEC §9): claimed in this transaction; a retry answers the stored reply. */
  idempotency?: IdempotencyRequest;
  /** How the reply is kept under the key (default: as it is), e.g. a secret sealed. */
  storedReply?: StoredReply<T>;
}

class Transaction implements Tx {
  readonly unstored: OutboxEvent[] = [];
  readonly committed: OutboxEvent[] = [];
  readonly after: (() => void)[] = [];

  constructor(
    readonly manager: EntityManager,
    private readonly clock: Clock,
    private readonly ids: Ids,
    private readonly hasOutbox: boolean,
  ) {}

  query<T = any>(sql: string, params?: unknown[]): Promise<T> {
    return this.manager.query(sql, params);
  }

  async prepared<T>(name: string, text: string, values: unknown[]): Promise<T[]> {
    // The transaction's own connection (TypeORM's runner holds it from BEGIN to COMMIT).
    const client = (await this.manager.queryRunner!.connect()) as PoolClient;
    return (await client.query({ name, text, values })).rows as T[];
  }

  now(): Date {
    return this.clock.now();
  }

  newId(kind: IdKind): string {
    return this.ids.newId(kind);
  }

  emit(...events: OutboxEvent[]): void {
    if (!this.hasOutbox) throw new Error('This service has no outbox: an event cannot be emitted in its transaction.');
    this.unstored.push(...events);
    this.committed.push(...events);
  }

  emitStored(...events: OutboxEvent[]): void {
    if (!this.hasOutbox) throw new Error('This service has no outbox: an event cannot be emitted in its transaction.');
    this.committed.push(...events);
  }

  afterCommit(fn: () => void): void {
    this.after.push(fn);
  }
}

/**
 * The ORM's manager behind a Tx (or a manager passed as is), for persistence
 * code built on TypeORM repositories; domain code never calls it.
 */
export function entityManagerOf(q: Queryable | undefined): EntityManager | undefined {
  if (q === undefined) return undefined;
  if (q instanceof Transaction) return q.manager;
  if (q instanceof EntityManager) return q;
  throw new Error('Not a transaction of this service.');
}

/**
 * One unit of work per write: `uow.run(opts, (tx) => …)` owns the
 * transaction, claims the Idempotency-Key when `opts` carries one (the same
 * key with the same request answers the stored reply and runs nothing;
 * another request is 409 idempotency_key_reused), writes the events the work
 * emitted into the outbox before commit, and publishes them after commit.
 */
export class UnitOfWork {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly ids: Ids,
    private readonly idempotency: IdempotencyStore | null,
    private readonly outbox: Outbox | null,
  ) {}

  async run<T>(opts: UnitOfWorkOptions<T>, work: (tx: Tx) => Promise<T>): Promise<T> {
    let tx: Transaction | undefined;
    const result = await this.dataSource.transaction(async (manager) => {
      tx = new Transaction(manager, this.clock, this.ids, this.outbox !== null);
      const t = tx;
      const body = async (): Promise<T> => {
        const done = await work(t);
        if (t.unstored.length > 0) await this.outbox!.insert(t.unstored, t);
        return done;
      };
      if (!opts.idempotency) return body();
      if (!this.idempotency) throw new Error('This service keeps no Idempotency-Keys.');
      return (await this.idempotency.runIn(manager, opts.idempotency, body, opts.storedReply)).result;
    });
    if (tx) {
      if (tx.committed.length > 0) this.outbox!.publishCommitted(tx.committed);
      for (const fn of tx.after) fn();
    }
    return result;
  }

  /** The clock and ids of this service (a read path's time; tests control both). */
  now(): Date {
    return this.clock.now();
  }

  newId(kind: IdKind): string {
    return this.ids.newId(kind);
  }
}

/**
 * The Nest providers of a service's write path: the system Clock, ulid Ids
 * and its UnitOfWork (its IdempotencyStore and, where the service has one, its
 * Outbox, both provided beside these). A service test overrides Clock and Ids.
 */
export function unitOfWorkProviders(): Provider[] {
  return [
    { provide: Clock, useClass: SystemClock },
    { provide: Ids, useClass: UlidIds },
    {
      provide: UnitOfWork,
      useFactory: (dataSource: DataSource, clock: Clock, ids: Ids, idempotency: IdempotencyStore | null, outbox: Outbox | null) =>
        new UnitOfWork(dataSource, clock, ids, idempotency ?? null, outbox ?? null),
      inject: [DataSource, Clock, Ids, { token: IdempotencyStore, optional: true }, { token: Outbox, optional: true }],
    },
  ];
}
