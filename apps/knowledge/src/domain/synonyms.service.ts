import { Injectable } from '@nestjs/common';
import { AuditLog, UnitOfWork } from '@widget/common';
import { AuditContext, SynonymGroups } from '@widget/contracts';
import { SynonymRepository } from '../persistence/synonym.repository';
import { iso } from './views';

/**
 * Operator-defined synonyms (docs/knowledge.md, "Synonyms"): groups of terms
 * (words or phrases) a search or a question may use for one another, weighted
 * just below the word itself. The gateway has validated the groups; terms are
 * stored as written and compared by their words (synonymTermKey).
 */
@Injectable()
export class SynonymsService {
  constructor(
    private readonly synonyms: SynonymRepository,
    private readonly audit: AuditLog,
    private readonly uow: UnitOfWork,
  ) {}

  async get(workspaceId: string): Promise<SynonymGroups> {
    const row = await this.synonyms.find(workspaceId);
    return { workspaceId, groups: row?.groups ?? [], updatedAt: row ? iso(row.updated_at) : null };
  }

  /** The groups replace the workspace's; the audit entry names the change, not the terms. */
  async put(workspaceId: string, groups: string[][], audit?: AuditContext): Promise<SynonymGroups> {
    const row = await this.uow.run({}, async (tx) => {
      const written = await this.synonyms.put(workspaceId, groups.map((g) => g.map((t) => t.trim())), tx.now(), tx);
      await this.audit.append(tx, audit, { workspaceId, action: 'synonyms.replaced', targetType: 'synonyms', targetId: null });
      return written;
    });
    return { workspaceId, groups: row.groups, updatedAt: iso(row.updated_at) };
  }
}
