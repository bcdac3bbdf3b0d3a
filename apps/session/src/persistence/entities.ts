import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Retention, VisitorProfile, WidgetConfig } from '@widget/contracts';

@Entity({ name: 'workspaces' })
export class WorkspaceEntity {
  @PrimaryColumn('text') id: string;
  @Column('text') name: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  /** SPEC §17: how long each kind of data is kept; `{}` keeps everything. */
  @Column('jsonb', { default: () => "'{}'::jsonb" }) retention?: Retention;
}

@Entity({ name: 'widgets' })
export class WidgetEntity {
  @PrimaryColumn('text') id: string;
  @Column('text', { name: 'workspace_id' }) workspaceId: string;
  @Column('jsonb') config: WidgetConfig;
  /** The HS256 secret, AES-256-GCM sealed with SECRET_ENCRYPTION_KEY. */
  @Column('text', { name: 'secret_sealed' }) secretSealed: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}

@Entity({ name: 'end_users' })
export class EndUserEntity {
  @PrimaryColumn('text') id: string;
  @Column('text', { name: 'workspace_id' }) workspaceId: string;
  @Column('text', { name: 'external_id' }) externalId: string;
  @Column('text', { nullable: true }) email: string | null;
  @Column('text', { nullable: true }) name: string | null;
  @Column('text', { name: 'company_id', nullable: true }) companyId: string | null;
  @Column('text', { name: 'company_name', nullable: true }) companyName: string | null;
  @Column('text', { name: 'company_plan', nullable: true }) companyPlan: string | null;
  /** false: claimed without a JWT (SPEC §4); such a user belongs to the one browser that claimed it. */
  @Column('boolean') verified: boolean;
  /** The SDK's update() traits. */
  @Column('jsonb') traits: Record<string, unknown>;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}

@Entity({ name: 'sessions' })
export class SessionEntity {
  @PrimaryColumn('text') id: string;
  @Column('text', { name: 'workspace_id' }) workspaceId: string;
  @Column('text', { name: 'widget_id' }) widgetId: string;
  @Column('text', { name: 'user_id', nullable: true }) userId: string | null;
  @Column('text', { name: 'identity_type' }) identityType: 'anonymous' | 'identified';
  /** sha256 of the bearer token; the token itself is never stored. */
  @Column('text', { name: 'token_hash' }) tokenHash: string;
  @Column('text', { nullable: true }) locale: string | null;
  /** An anonymous visitor's profile from PATCH /sessions/current (identified sessions write their user). */
  @Column('jsonb', { nullable: true }) visitor: VisitorProfile | null;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  /** An anonymous session merged into a user at identify (SPEC §17: erasing the user finds it). */
  @Column('text', { name: 'merged_into_user_id', nullable: true }) mergedIntoUserId?: string | null;
}

@Entity({ name: 'used_jtis' })
export class UsedJtiEntity {
  @PrimaryColumn('text', { name: 'widget_id' }) widgetId: string;
  @PrimaryColumn('text') jti: string;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
}

export const SESSION_ENTITIES = [WorkspaceEntity, WidgetEntity, EndUserEntity, SessionEntity, UsedJtiEntity];
