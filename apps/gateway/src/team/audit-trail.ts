import { Injectable } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { AuditEntry, AuditLogRpc, ConversationRpc, FormsRpc, IntegrationsRpc, KnowledgeRpc, Page, PageQuery, SessionRpc, TeamRpc } from '@widget/contracts';

/**
 * Every service keeps the audit entries of its own writes (libs/common
 * AuditLog, same transaction as the change). A page of the workspace's log is
 * the newest `limit` entries of all of them: each service gives its newest
 * `limit` below the cursor, and the merge keeps the newest (ids are
 * time-ordered, so the id is the order and the cursor).
 */
@Injectable()
export class AuditTrail {
  /** The services that record operator writes; each answers the same page request. */
  static readonly SOURCES: AuditLogRpc[] = [TeamRpc.auditLog, SessionRpc.auditLog, KnowledgeRpc.auditLog, FormsRpc.auditLog, ConversationRpc.auditLog, IntegrationsRpc.auditLog];

  constructor(private readonly bus: NatsBus) {}

  async page(workspaceId: string, query: PageQuery): Promise<Page<AuditEntry>> {
    const pages = await Promise.all(AuditTrail.SOURCES.map((rpc) => this.bus.send(rpc, { workspaceId, cursor: query.cursor, limit: query.limit })));
    const merged = pages.flatMap((p) => p.data).sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const data = merged.slice(0, query.limit);
    const more = merged.length > query.limit || pages.some((p) => p.nextCursor !== null);
    return { data, nextCursor: more && data.length > 0 ? data[data.length - 1].id : null };
  }
}
