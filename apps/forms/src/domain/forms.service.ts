import { Injectable } from '@nestjs/common';
import { AuditLog, Errors, UnitOfWork, zodDetails } from '@widget/common';
import { AuditContext, createFormBody, IdempotencyRequest, CreateFormBody, Form, FormField, PublicForm, SessionContext, updateFormBody, UpdateFormBody } from '@widget/contracts';
import { FormEntity } from '../persistence/entities';
import { FormsRepository } from '../persistence/forms.repository';

export const formNotFound = () => Errors.notFound('form');

/** Optional keys that are absent stay absent in the view (SPEC §7 shows them as optional). */
function fieldView(field: FormField): FormField {
  return Object.fromEntries(Object.entries(field).filter(([, v]) => v !== undefined)) as FormField;
}

export function publicView(row: FormEntity): PublicForm {
  return { id: row.id, name: row.name, description: row.description, fields: row.fields.map(fieldView) };
}

export function adminView(row: FormEntity): Form {
  return { ...publicView(row), workspaceId: row.workspaceId, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

function recheck<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw Errors.validation(zodDetails(parsed.error));
  return parsed.data;
}

@Injectable()
export class FormsService {
  constructor(
    private readonly repo: FormsRepository,
    private readonly audit: AuditLog,
    private readonly uow: UnitOfWork,
  ) {}

  /** The widget's visible forms, in its visibleFormIds order; forms of other workspaces never show. */
  async list(session: SessionContext, visibleFormIds: string[]): Promise<PublicForm[]> {
    const rows = await this.repo.findForms(session.workspaceId, visibleFormIds);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return visibleFormIds.flatMap((id) => (byId.has(id) ? [publicView(byId.get(id) as FormEntity)] : []));
  }

  /** Unknown, of another workspace, or not visible to this widget: all the same form_not_found. */
  async visible(session: SessionContext, visibleFormIds: string[], formId: string): Promise<FormEntity> {
    if (!visibleFormIds.includes(formId)) throw formNotFound();
    const row = await this.repo.findForm(formId);
    if (!row || row.workspaceId !== session.workspaceId) throw formNotFound();
    return row;
  }

  /** The form and its audit entry commit together, with the Idempotency-Key when one was sent. */
  create(workspaceId: string, input: CreateFormBody, audit?: AuditContext, idempotency?: IdempotencyRequest): Promise<Form> {
    return this.uow.run({ idempotency }, async (tx) => {
      // Checked again here (after the key's claim, as before): a slow pattern must never be stored, whoever sent it.
      const body = recheck(createFormBody, input);
      const now = tx.now();
      const row = await this.repo.insertForm(
        { id: tx.newId('form'), workspaceId, name: body.name, description: body.description ?? null, fields: body.fields, createdAt: now, updatedAt: now },
        tx,
      );
      await this.audit.append(tx, audit, { workspaceId, action: 'form.created', targetType: 'form', targetId: row.id });
      return adminView(row);
    });
  }

  async update(formId: string, input: UpdateFormBody, audit?: AuditContext): Promise<Form> {
    const patch = recheck(updateFormBody, input);
    const changes: Partial<Pick<FormEntity, 'name' | 'description' | 'fields'>> = {};
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.description !== undefined) changes.description = patch.description;
    if (patch.fields !== undefined) changes.fields = patch.fields;
    return this.uow.run({}, async (tx) => {
      const row = await this.repo.updateForm(formId, changes, tx.now(), tx);
      if (!row) throw formNotFound();
      await this.audit.append(tx, audit, { workspaceId: row.workspaceId, action: 'form.updated', targetType: 'form', targetId: formId });
      return adminView(row);
    });
  }

  async get(formId: string): Promise<Form> {
    const row = await this.repo.findForm(formId);
    if (!row) throw formNotFound();
    return adminView(row);
  }
}
