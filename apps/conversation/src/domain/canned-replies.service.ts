import { Injectable } from '@nestjs/common';
import { AppError, AuditLog, notFound, Tx, UnitOfWork } from '@widget/common';
import { AuditContext, CannedRepliesQuery, CannedReply, CannedReplyBody, CannedReplyPatchBody, IdempotencyRequest, Page } from '@widget/contracts';
import { CannedReplyRepository } from '../persistence/canned-reply.repository';

const shortcutTaken = () =>
  new AppError('validation_error', 'The workspace has a canned reply with this shortcut.', {
    reason: 'shortcut_taken',
    details: [{ field: 'shortcut', reason: 'is taken in this workspace' }],
  });

/** Cursors of the list: the last shortcut of a page, base64url (opaque to clients, SPEC §5). */
const encodeCursor = (shortcut: string) => Buffer.from(shortcut, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  const shortcut = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(shortcut)) throw new AppError('validation_error', 'The cursor is not valid.', { reason: 'invalid_cursor', details: [{ field: 'cursor', reason: 'is not a cursor' }] });
  return shortcut;
}

type Scoped = { workspaceId: string; audit?: AuditContext };

/** Issue 21: a workspace's canned replies; every write is in the audit log, in its own transaction. */
@Injectable()
export class CannedRepliesService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repo: CannedReplyRepository,
    private readonly audit: AuditLog,
  ) {}

  async list(workspaceId: string, query: CannedRepliesQuery): Promise<Page<CannedReply>> {
    const rows = await this.repo.list(workspaceId, query.q || undefined, query.cursor ? decodeCursor(query.cursor) : undefined, query.limit + 1);
    const data = rows.slice(0, query.limit);
    return { data, nextCursor: rows.length > query.limit ? encodeCursor(data[data.length - 1].shortcut) : null };
  }

  create(req: Scoped & CannedReplyBody & { idempotency?: IdempotencyRequest }): Promise<CannedReply> {
    return this.uow.run({ idempotency: req.idempotency }, async (t) => {
      const at = t.now().toISOString();
      const created = await this.repo.insert(req.workspaceId, { id: t.newId('cannedReply'), shortcut: req.shortcut, text: req.text, createdAt: at, updatedAt: at }, t);
      if (!created) throw shortcutTaken();
      await this.record(t, req, 'canned_reply.created', created.id);
      return created;
    });
  }

  update(req: Scoped & { cannedReplyId: string } & CannedReplyPatchBody): Promise<CannedReply> {
    return this.uow.run({}, async (t) => {
      const current = await this.existing(t, req.workspaceId, req.cannedReplyId);
      const next = { shortcut: req.shortcut ?? current.shortcut, text: req.text ?? current.text };
      if (next.shortcut === current.shortcut && next.text === current.text) return current;
      if (next.shortcut !== current.shortcut && (await this.repo.shortcutTaken(req.workspaceId, next.shortcut, current.id, t))) throw shortcutTaken();
      const updated = await this.repo.update(req.workspaceId, current.id, next, t);
      if (!updated) throw shortcutTaken();
      await this.record(t, req, 'canned_reply.updated', current.id);
      return updated;
    });
  }

  remove(req: Scoped & { cannedReplyId: string }): Promise<{ removed: true }> {
    return this.uow.run({}, async (t) => {
      if (!(await this.repo.remove(req.workspaceId, req.cannedReplyId, t))) throw notFound('cannedReply');
      await this.record(t, req, 'canned_reply.deleted', req.cannedReplyId);
      return { removed: true as const };
    });
  }

  private async existing(manager: Tx, workspaceId: string, id: string): Promise<CannedReply> {
    const row = await this.repo.find(workspaceId, id, manager);
    if (!row) throw notFound('cannedReply');
    return row;
  }

  private record(manager: Tx, req: Scoped, action: string, id: string): Promise<void> {
    return this.audit.append(manager, req.audit, { workspaceId: req.workspaceId, action, targetType: 'canned_reply', targetId: id });
  }
}
