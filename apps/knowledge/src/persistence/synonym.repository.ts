import { Injectable } from '@nestjs/common';
import type { Queryable } from '@widget/common';
import { DataSource } from 'typeorm';

export interface SynonymRow {
  groups: string[][];
  updated_at: Date;
}

/** knowledge.synonyms: one row per workspace with its operator-defined groups. Query expansion reads it with the vocabulary (VocabularyRepository.facts). */
@Injectable()
export class SynonymRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(workspaceId: string): Promise<SynonymRow | null> {
    const rows: SynonymRow[] = await this.dataSource.query(`SELECT groups, updated_at FROM knowledge.synonyms WHERE workspace_id = $1`, [workspaceId]);
    return rows[0] ?? null;
  }

  /** Inside `tx` (the change's unit of work, with its audit entry). */
  async put(workspaceId: string, groups: string[][], now: Date, tx: Queryable): Promise<SynonymRow> {
    const rows: SynonymRow[] = await tx.query(
      `INSERT INTO knowledge.synonyms (workspace_id, groups, updated_at) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (workspace_id) DO UPDATE SET groups = EXCLUDED.groups, updated_at = EXCLUDED.updated_at
       RETURNING groups, updated_at`,
      [workspaceId, JSON.stringify(groups), now],
    );
    return rows[0];
  }
}
