import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { AuditContext, AuditEntry, Page } from '@widget/contracts';
import { newId } from '../ids';
import type { Queryable } from './unit-of-work';

/**
 * SPEC §14's audit log, one table per service schema: a write is recorded by
 * the service that makes it, in the same transaction, so a change and its
 * record commit together or not at all. Nothing here updates or deletes a
 * row. The gateway's `GET …/audit-log` merges every service's page by id
 * (ids are time-ordered). What is recorded: who, what, on which target, the
 * request id and the address — never a body or a secret.
 */
export interface AuditRecord {
  workspaceId: string;
  action: string;
  targetType: string;
  targetId: string | null;
}

export const auditTableSql = {
  up: (schema: string) => `
    CREATE TABLE ${schema}.audit_log (
      id text PRIMARY KEY,
      workspace_id text NOT NULL,
      at timestamptz NOT NULL,
      actor_kind text NOT NULL CHECK (actor_kind IN ('root', 'operator', 'api_key')),
      actor_id text,
      action text NOT NULL,
      target_type text NOT NULL,
      target_id text,
      request_id text,
      address text
    );
    CREATE INDEX audit_log_workspace_idx ON ${schema}.audit_log (workspace_id, id DESC);`,
  down: (schema: string) => `DROP TABLE ${schema}.audit_log;`,
};

/** The migration class creating a service's audit table: `auditLogMigration('forms', 1796600000100)`. */
export function auditLogMigration(schema: string, timestamp: number): new () => MigrationInterface {
  const name = `${schema[0].toUpperCase()}${schema.slice(1)}AuditLog${timestamp}`;
  return class implements MigrationInterface {
    name = name;

    async up(q: QueryRunner): Promise<void> {
      await q.query(auditTableSql.up(schema));
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(auditTableSql.down(schema));
    }
  };
}

interface AuditRow {
  id: string;
  at: Date;
  actor_kind: AuditEntry['actor']['kind'];
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  request_id: string | null;
  address: string | null;
}

export class AuditLog {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
  ) {}

  /**
   * Appends one entry through `manager` (the change's transaction: a unit of work's Tx). Without a
   * context (a write no operator asked for: a sweeper, a service's own call)
   * nothing is recorded.
   */
  async append(manager: Queryable, context: AuditContext | undefined, record: AuditRecord): Promise<void> {
    if (!context) return;
    await manager.query(
      `INSERT INTO ${this.schema}.audit_log (id, workspace_id, at, actor_kind, actor_id, action, target_type, target_id, request_id, address)
       VALUES ($1, $2, now(), $3, $4, $5, $6, $7, $8, $9)`,
      [newId('audit'), record.workspaceId, context.actor.kind, context.actor.id, record.action, record.targetType, record.targetId, context.requestId, context.address],
    );
  }

  /** Newest first; the cursor is the last id of the previous page. */
  async page(workspaceId: string, cursor: string | undefined, limit: number): Promise<Page<AuditEntry>> {
    const rows: AuditRow[] = await this.dataSource.query(
      `SELECT id, at, actor_kind, actor_id, action, target_type, target_id, request_id, address
         FROM ${this.schema}.audit_log
        WHERE workspace_id = $1 AND ($2::text IS NULL OR id < $2)
        ORDER BY id DESC LIMIT $3`,
      [workspaceId, cursor ?? null, limit + 1],
    );
    const data = rows.slice(0, limit).map(toAuditEntry);
    return { data, nextCursor: rows.length > limit ? data[data.length - 1].id : null };
  }
}

function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor: { kind: row.actor_kind, id: row.actor_id },
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    requestId: row.request_id,
    address: row.address,
  };
}

export function auditLogProvider(schema: string) {
  return {
    provide: AuditLog,
    useFactory: (dataSource: DataSource) => new AuditLog(dataSource, schema),
    inject: [DataSource],
  };
}
