import { Injectable } from '@nestjs/common';
import { SynonymGroups } from '@widget/contracts';
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
  constructor(private readonly synonyms: SynonymRepository) {}

  async get(workspaceId: string): Promise<SynonymGroups> {
    const row = await this.synonyms.find(workspaceId);
    return { workspaceId, groups: row?.groups ?? [], updatedAt: row ? iso(row.updated_at) : null };
  }

  async put(workspaceId: string, groups: string[][]): Promise<SynonymGroups> {
    const row = await this.synonyms.put(
      workspaceId,
      groups.map((g) => g.map((t) => t.trim())),
      new Date(),
    );
    return { workspaceId, groups: row.groups, updatedAt: iso(row.updated_at) };
  }
}
