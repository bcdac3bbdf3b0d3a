import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '@widget/contracts';

/** A person who signs in (SPEC §14). The email is stored lower-cased; the password only as an argon2id hash. */
@Entity({ name: 'operators' })
export class OperatorEntity {
  @PrimaryColumn('text') id: string;
  @Column('text') email: string;
  @Column('text') name: string;
  /** null until the first invitation is accepted. */
  @Column('text', { name: 'password_hash', nullable: true }) passwordHash: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}

/** A person's role in one workspace; `invited` until the invitation is accepted. */
@Entity({ name: 'memberships' })
export class MembershipEntity {
  @PrimaryColumn('text', { name: 'workspace_id' }) workspaceId: string;
  @PrimaryColumn('text', { name: 'operator_id' }) operatorId: string;
  @Column('text') role: Role;
  @Column('text') status: 'invited' | 'active';
  /** sha256 of the invitation token; null once accepted (an invitation works once). */
  @Column('text', { name: 'invite_token_hash', nullable: true }) inviteTokenHash: string | null;
  @Column('timestamptz', { name: 'invite_expires_at', nullable: true }) inviteExpiresAt: Date | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}

/** A login: sha256 of the `opt_…` token (256 random bits), its operator and its end. Logout deletes the row. */
@Entity({ name: 'operator_tokens' })
export class OperatorTokenEntity {
  @PrimaryColumn('text', { name: 'token_hash' }) tokenHash: string;
  @Column('text', { name: 'operator_id' }) operatorId: string;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}

/** A workspace API key for integrations: sha256 of the `wsk_…` secret, shown once. */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn('text') id: string;
  @Column('text', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') name: string;
  @Column('text') role: 'admin' | 'agent';
  @Column('text', { name: 'secret_hash' }) secretHash: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
}

@Entity({ name: 'teams' })
export class TeamEntity {
  @PrimaryColumn('text') id: string;
  @Column('text', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') name: string;
  @Column('text', { name: 'member_ids', array: true }) memberIds: string[];
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}

export const TEAM_ENTITIES = [OperatorEntity, MembershipEntity, OperatorTokenEntity, ApiKeyEntity, TeamEntity];
