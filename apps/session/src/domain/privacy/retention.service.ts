import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditLog, Errors } from '@widget/common';
import { AuditContext, Retention, RetentionPolicy, Workspace, WorkspacePatchBody } from '@widget/contracts';

/**
 * SPEC §17: a workspace's retention settings live with the workspace; each
 * service's sweeper asks for them (`session.privacy.retention-policies`) and
 * deletes its own old data. A field left out keeps that data forever (the
 * default); `null` removes a limit.
 */
@Injectable()
export class RetentionService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async patchWorkspace(workspaceId: string, body: WorkspacePatchBody, audit: AuditContext | undefined): Promise<Workspace & { retention: Retention }> {
    return this.db.transaction(async (m) => {
      const rows: { id: string; name: string; created_at: Date; retention: Retention }[] = await m.query(
        `SELECT id, name, created_at, retention FROM session.workspaces WHERE id = $1 FOR UPDATE`,
        [workspaceId],
      );
      if (rows.length === 0) throw Errors.notFound('workspace');
      const current = rows[0];
      const retention: Retention = { ...current.retention };
      for (const [key, value] of Object.entries(body.retention ?? {}) as [keyof Retention, number | null | undefined][]) {
        if (value === undefined) continue;
        if (value === null) delete retention[key];
        else retention[key] = value;
      }
      const name = body.name ?? current.name;
      await m.query(`UPDATE session.workspaces SET name = $2, retention = $3::jsonb WHERE id = $1`, [workspaceId, name, JSON.stringify(retention)]);
      await this.audit.append(m, audit, { workspaceId, action: 'workspace.updated', targetType: 'workspace', targetId: workspaceId });
      return { id: current.id, name, createdAt: new Date(current.created_at).toISOString(), retention };
    });
  }

  async policies(): Promise<RetentionPolicy[]> {
    const rows: { id: string; retention: Retention }[] = await this.db.query(`SELECT id, retention FROM session.workspaces WHERE retention <> '{}'::jsonb ORDER BY id`);
    return rows.map((r) => ({ workspaceId: r.id, retention: r.retention }));
  }
}
