import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FormField } from '@widget/contracts';

@Entity({ name: 'forms' })
export class FormEntity {
  @PrimaryColumn('text') id: string;
  @Column('text', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('jsonb') fields: FormField[];
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}

export type SubmissionStatus = 'pending' | 'completed';

@Entity({ name: 'submissions' })
export class SubmissionEntity {
  @PrimaryColumn('text') id: string;
  @Column('text', { name: 'form_id' }) formId: string;
  @Column('text', { name: 'workspace_id' }) workspaceId: string;
  @Column('text', { name: 'widget_id' }) widgetId: string;
  @Column('text', { name: 'session_id' }) sessionId: string;
  @Column('text', { name: 'user_id', nullable: true }) userId: string | null;
  @Column('text', { name: 'client_submission_id', nullable: true }) clientSubmissionId: string | null;
  @Column('jsonb', { name: 'field_values' }) values: Record<string, unknown>;
  /** sha256 of the normalized values: a retry with the same key must carry the same values. */
  @Column('text', { name: 'values_hash' }) valuesHash: string;
  /** pending: reserved, the ticket not yet confirmed by the conversation service. */
  @Column('text') status: SubmissionStatus;
  @Column('text', { name: 'conversation_id', nullable: true }) conversationId: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'completed_at', nullable: true }) completedAt: Date | null;
}

export const FORMS_ENTITIES = [FormEntity, SubmissionEntity];
