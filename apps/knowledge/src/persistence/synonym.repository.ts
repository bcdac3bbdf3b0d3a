import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

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

  /** With `m`: inside that transaction (the change's, with its audit entry). */
  async put(workspaceId: string, groups: string[][], now: Date, m: EntityManager = this.dataSource.manager): Promise<SynonymRow> {
    const rows: SynonymRow[] = await m.query(
      `INSERT INTO knowledge.synonyms (workspace_id, groups, updated_at) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (workspace_id) DO UPDATE SET groups = EXCLUDED.groups, updated_at = EXCLUDED.updated_at
       RETURNING groups, updated_at`,
      [workspaceId, JSON.stringify(groups), now],
    );
    return rows[0];
  }
}
