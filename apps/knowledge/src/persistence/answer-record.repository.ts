import { Injectable } from '@nestjs/common';
import { deleteCounted, Queryable } from '@widget/common';
import type { AiCitation, AnswerRecord, PersonKeys, SessionContext } from '@widget/contracts';
import { DataSource } from 'typeorm';

/** Expired rows removed with each insert: bounded, so an insert never waits on a large clean-up. */
const PURGE_BATCH = 100;

/** A person's rows (SPEC §17): asked by one of their sessions, or by their end user from any session. */
const OF_PERSON = `workspace_id = $1 AND (session_id = ANY($2::text[]) OR user_id = ANY($3::text[]))`;
const personParams = (person: PersonKeys) => [person.workspaceId, person.sessionIds, person.userIds];

/** One answer record as a person's export shows it. */
export interface ExportedAnswerRecord {
  id: string;
  sessionId: string;
  userId: string | null;
  question: string;
  answer: string | null;
  citations: AiCitation[];
  expiresAt: string;
}

export interface NewAnswerRecord extends AnswerRecord {
  session: SessionContext;
  expiresAt: Date;
}

/** knowledge.answer_records: what each AI answer gave which session, for escalations (ANSWER_RECORD_TTL_MS). */
@Injectable()
export class AnswerRecordRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inside `tx` (the answer's unit of work); `now` is its time, expired rows before it are purged. */
  async insert(record: NewAnswerRecord, now: Date, tx: Queryable): Promise<void> {
    await tx.query(
      `WITH purged AS (
         DELETE FROM knowledge.answer_records
          WHERE id IN (SELECT id FROM knowledge.answer_records WHERE expires_at <= $9 ORDER BY expires_at LIMIT ${PURGE_BATCH})
       )
       INSERT INTO knowledge.answer_records (id, workspace_id, session_id, user_id, question, answer_text, citations, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
      [
        record.id,
        record.session.workspaceId,
        record.session.sessionId,
        record.session.userId,
        record.question,
        record.answer?.text ?? null,
        JSON.stringify(record.answer?.citations ?? []),
        record.expiresAt,
        now,
      ],
    );
  }

  /** The record, when it was given to this session or to its identified user, in its workspace, and has not expired. */
  async findFor(session: SessionContext, answerId: string, now: Date): Promise<AnswerRecord | null> {
    const rows: { id: string; question: string; answer_text: string | null; citations: AiCitation[] }[] = await this.dataSource.query(
        `SELECT id, question, answer_text, citations FROM knowledge.answer_records
          WHERE id = $1 AND workspace_id = $2 AND expires_at > $5
            AND (session_id = $3 OR (user_id IS NOT NULL AND user_id = $4))`,
        [answerId, session.workspaceId, session.sessionId, session.userId, now],
      );
    const row = rows[0];
    if (!row) return null;
    return { id: row.id, question: row.question, answer: row.answer_text === null ? null : { text: row.answer_text, citations: row.citations } };
  }

  /** Deletes every record of the person, expired or not, in `m` (the erasure's transaction); returns how many. */
  eraseFor(m: Queryable, person: PersonKeys): Promise<number> {
    return deleteCounted(m, `DELETE FROM knowledge.answer_records WHERE ${OF_PERSON}`, personParams(person));
  }

  /** The person's records after `afterId`, oldest first (ids are time-ordered); expired ones too, as long as they are held. */
  async exportFor(person: PersonKeys, afterId: string | null, limit: number): Promise<ExportedAnswerRecord[]> {
    const rows: (Omit<ExportedAnswerRecord, 'expiresAt'> & { expiresAt: Date })[] = await this.dataSource.query(
      `SELECT id, session_id AS "sessionId", user_id AS "userId", question, answer_text AS answer, citations, expires_at AS "expiresAt"
         FROM knowledge.answer_records
        WHERE ${OF_PERSON} AND ($4::text IS NULL OR id > $4)
        ORDER BY id LIMIT $5`,
      [...personParams(person), afterId, limit],
    );
    return rows.map((r) => ({ ...r, expiresAt: new Date(r.expiresAt).toISOString() }));
  }
}
