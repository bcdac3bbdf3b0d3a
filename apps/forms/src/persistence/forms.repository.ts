import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { deleteCounted, entityManagerOf, Queryable } from '@widget/common';
import type { PersonKeys } from '@widget/contracts';
import { In, Repository } from 'typeorm';
import { FormEntity, SubmissionEntity } from './entities';

/** A person's submissions (SPEC §17): sent from one of their sessions, or by their end user from any session. */
const OF_PERSON = `s.workspace_id = $1 AND (s.session_id = ANY($2::text[]) OR s.user_id = ANY($3::text[]))`;
const personParams = (person: PersonKeys) => [person.workspaceId, person.sessionIds, person.userIds];

/** One submission as a person's export shows it: the values as sent, and the form's name for context. */
export interface ExportedSubmission {
  id: string;
  formId: string;
  formName: string;
  widgetId: string;
  sessionId: string;
  userId: string | null;
  clientSubmissionId: string | null;
  values: Record<string, unknown>;
  status: 'pending' | 'completed';
  conversationId: string | null;
  createdAt: string;
  completedAt: string | null;
}

@Injectable()
export class FormsRepository {
  constructor(
    @InjectRepository(FormEntity) private readonly forms: Repository<FormEntity>,
    @InjectRepository(SubmissionEntity) private readonly submissions: Repository<SubmissionEntity>,
  ) {}

  /** Inside `tx` (the create's unit of work, with its audit entry and Idempotency-Key). */
  insertForm(row: FormEntity, tx: Queryable): Promise<FormEntity> {
    return entityManagerOf(tx)!.withRepository(this.forms).save(row);
  }

  /** Inside `tx` (the change's unit of work, with its audit entry); null when there is no such form. */
  async updateForm(id: string, patch: Partial<Pick<FormEntity, 'name' | 'description' | 'fields'>>, updatedAt: Date, tx: Queryable): Promise<FormEntity | null> {
    const forms = entityManagerOf(tx)!.withRepository(this.forms);
    const result = await forms.update({ id }, { ...patch, updatedAt });
    return result.affected ? forms.findOneBy({ id }) : null;
  }

  findForm(id: string): Promise<FormEntity | null> {
    return this.forms.findOneBy({ id });
  }

  findForms(workspaceId: string, ids: string[]): Promise<FormEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.forms.findBy({ workspaceId, id: In(ids) });
  }

  /** Reserves a submission under its client key; null when that key is taken (then read the holder). */
  async reserve(row: SubmissionEntity, tx: Queryable): Promise<SubmissionEntity | null> {
    const inserted: { id: string }[] = await tx.query(
      `INSERT INTO forms.submissions
         (id, form_id, workspace_id, widget_id, session_id, user_id, client_submission_id, field_values, values_hash, status, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10)
       ON CONFLICT (session_id, form_id, client_submission_id) DO NOTHING
       RETURNING id`,
      [row.id, row.formId, row.workspaceId, row.widgetId, row.sessionId, row.userId, row.clientSubmissionId, JSON.stringify(row.values), row.valuesHash, row.createdAt],
    );
    return inserted.length === 1 ? row : null;
  }

  insertSubmission(row: SubmissionEntity, tx: Queryable): Promise<SubmissionEntity> {
    return entityManagerOf(tx)!.withRepository(this.submissions).save(row);
  }

  findByClientId(sessionId: string, formId: string, clientSubmissionId: string): Promise<SubmissionEntity | null> {
    return this.submissions.findOneBy({ sessionId, formId, clientSubmissionId });
  }

  /** A keyless submission that failed earlier with the same values: its retry reuses it (and its ticket key). */
  findPendingByValues(sessionId: string, formId: string, valuesHash: string): Promise<SubmissionEntity | null> {
    return this.submissions.findOne({ where: { sessionId, formId, valuesHash, status: 'pending' }, order: { id: 'ASC' } });
  }

  findSubmission(id: string): Promise<SubmissionEntity | null> {
    return this.submissions.findOneBy({ id });
  }

  /** pending → completed, once; false when another attempt completed it first. */
  async complete(id: string, conversationId: string, completedAt: Date, tx: Queryable): Promise<boolean> {
    const result = await entityManagerOf(tx)!
      .withRepository(this.submissions)
      .update({ id, status: 'pending' }, { status: 'completed', conversationId, completedAt });
    return (result.affected ?? 0) === 1;
  }

  async deletePending(id: string, tx: Queryable): Promise<void> {
    await entityManagerOf(tx)!.withRepository(this.submissions).delete({ id, status: 'pending' });
  }

  /** Deletes every submission of the person, pending ones included, in `m` (the erasure's transaction); returns how many. */
  eraseSubmissionsOf(m: Queryable, person: PersonKeys): Promise<number> {
    return deleteCounted(m, `DELETE FROM forms.submissions s WHERE ${OF_PERSON}`, personParams(person));
  }

  /** The person's submissions after `afterId`, oldest first (ids are time-ordered). */
  async exportSubmissionsOf(person: PersonKeys, afterId: string | null, limit: number): Promise<ExportedSubmission[]> {
    type Row = Omit<ExportedSubmission, 'createdAt' | 'completedAt'> & { createdAt: Date; completedAt: Date | null };
    const rows: Row[] = await this.submissions.query(
      `SELECT s.id, s.form_id AS "formId", f.name AS "formName", s.widget_id AS "widgetId", s.session_id AS "sessionId", s.user_id AS "userId",
              s.client_submission_id AS "clientSubmissionId", s.field_values AS values, s.status, s.conversation_id AS "conversationId",
              s.created_at AS "createdAt", s.completed_at AS "completedAt"
         FROM forms.submissions s JOIN forms.forms f ON f.id = s.form_id
        WHERE ${OF_PERSON} AND ($4::text IS NULL OR s.id > $4)
        ORDER BY s.id LIMIT $5`,
      [...personParams(person), afterId, limit],
    );
    return rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString(), completedAt: r.completedAt && new Date(r.completedAt).toISOString() }));
  }
}
