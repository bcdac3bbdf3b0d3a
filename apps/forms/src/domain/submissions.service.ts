import { Injectable } from '@nestjs/common';
import { AppError, Errors, InjectConfig, InjectLogger, NatsBus, Tx, UnitOfWork } from '@widget/common';
import type { Logger } from 'pino';
import { ConversationRpc, FormsEvents, SessionContext, Submission, WidgetRouting } from '@widget/contracts';
import { createHash } from 'node:crypto';
import type { FormsConfig } from '../config';
import { FormEntity, SubmissionEntity } from '../persistence/entities';
import { FormsRepository } from '../persistence/forms.repository';
import { FormsService } from './forms.service';
import { ticketCustomFields, ticketMessage, ticketSubject } from './ticket';
import { FieldValue, validateValues } from './values';

export interface SubmitRequest {
  session: SessionContext;
  visibleFormIds: string[];
  formId: string;
  values: Record<string, unknown>;
  clientSubmissionId?: string;
  /** The widget's routing: the ticket is assigned like any conversation a visitor opens (SPEC §14). */
  routing?: WidgetRouting;
}

/** Canonical JSON (sorted keys), so equal values hash equally whatever their key order. */
function valuesHash(values: Record<string, FieldValue>): string {
  const sorted = Object.fromEntries(Object.keys(values).sort().map((k) => [k, values[k]]));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

function view(row: SubmissionEntity): Submission {
  return { id: row.id, formId: row.formId, conversationId: row.conversationId as string, createdAt: row.createdAt.toISOString() };
}

/**
 * A submission is first reserved (pending), then its ticket is asked of the
 * conversation service with the key `form:<submissionId>`, then it is marked
 * completed. A failure in between leaves only the reservation, which nobody
 * sees; the retry reuses it, and with it the same key, so the conversation
 * service never opens a second ticket even if the first call did succeed.
 */
@Injectable()
export class SubmissionsService {
  private readonly logger: Logger;
  private readonly ticketTimeoutMs: number;

  constructor(
    private readonly forms: FormsService,
    private readonly repo: FormsRepository,
    private readonly bus: NatsBus,
    private readonly uow: UnitOfWork,
    @InjectConfig() config: FormsConfig,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'SubmissionsService' });
    // Answer the gateway before its own time-out does, so the client learns the real outcome.
    this.ticketTimeoutMs = Math.max(100, Math.floor(config.NATS_REQUEST_TIMEOUT_MS * 0.6));
  }

  async submit(req: SubmitRequest): Promise<{ submission: Submission; created: boolean }> {
    const form = await this.forms.visible(req.session, req.visibleFormIds, req.formId);
    const { values, details } = validateValues(form.fields, req.values);
    if (details.length > 0) throw Errors.validation(details, 'Some form values are not valid.');
    const hash = valuesHash(values);

    const row = await this.reserve(req, form, values, hash);
    if (row.status === 'completed') return { submission: view(row), created: false };

    let conversationId: string;
    try {
      const { conversation } = await this.bus.send(
        ConversationRpc.create,
        {
          session: req.session,
          idempotencyKey: `form:${row.id}`,
          routing: req.routing,
          body: {
            subject: ticketSubject(form.name),
            message: ticketMessage(form.name, form.fields, values),
            tags: ['form'],
            customFields: ticketCustomFields(values),
            metadata: { source: 'form', formId: form.id, submissionId: row.id },
          },
        },
        { timeoutMs: this.ticketTimeoutMs },
      );
      conversationId = conversation.id;
    } catch (err) {
      // A refusal (not a time-out) will not change on retry: drop the reservation.
      if (!(err instanceof AppError && err.recoverable)) await this.uow.run({}, (tx) => this.repo.deletePending(row.id, tx));
      throw err;
    }

    const completedAt = await this.uow.run({}, async (tx) => {
      const at = tx.now();
      return (await this.repo.complete(row.id, conversationId, at, tx)) ? at : null;
    });
    const completedNow = completedAt !== null;
    const final = completedNow ? { ...row, status: 'completed' as const, conversationId, completedAt } : await this.repo.findSubmission(row.id);
    if (!final || final.status !== 'completed') throw Errors.internal();
    if (completedNow) await this.announce(final);
    return { submission: view(final), created: completedNow };
  }

  private async reserve(req: SubmitRequest, form: FormEntity, values: Record<string, FieldValue>, hash: string): Promise<SubmissionEntity> {
    const { session } = req;
    const clientId = req.clientSubmissionId ?? null;
    if (!clientId) {
      const retry = await this.repo.findPendingByValues(session.sessionId, form.id, hash);
      if (retry) return retry;
    }
    const pending = (tx: Tx): SubmissionEntity => ({
      id: tx.newId('submission'),
      formId: form.id,
      workspaceId: session.workspaceId,
      widgetId: session.widgetId,
      sessionId: session.sessionId,
      userId: session.userId,
      clientSubmissionId: clientId,
      values,
      valuesHash: hash,
      status: 'pending',
      conversationId: null,
      createdAt: tx.now(),
      completedAt: null,
    });
    if (!clientId) return this.uow.run({}, (tx) => this.repo.insertSubmission(pending(tx), tx));
    // The unique key decides between concurrent first attempts; the loser reads the winner.
    const reserved = await this.uow.run({}, (tx) => this.repo.reserve(pending(tx), tx));
    const holder = reserved ?? (await this.repo.findByClientId(session.sessionId, form.id, clientId));
    if (!holder) throw Errors.internal();
    if (holder.valuesHash !== hash) {
      throw new AppError('validation_error', 'This clientSubmissionId was used with other values.', {
        reason: 'client_submission_id_reused',
        status: 409,
      });
    }
    return holder;
  }

  private async announce(row: SubmissionEntity): Promise<void> {
    try {
      await this.bus.emit(FormsEvents.submitted, {
        workspaceId: row.workspaceId,
        widgetId: row.widgetId,
        sessionId: row.sessionId,
        formId: row.formId,
        submissionId: row.id,
        conversationId: row.conversationId as string,
        at: (row.completedAt ?? this.uow.now()).toISOString(),
      });
    } catch (err) {
      // Analytics only: the submission and its ticket stand.
      this.logger.warn(`forms.submitted not emitted for ${row.id}: ${(err as Error).message}`);
    }
  }
}
