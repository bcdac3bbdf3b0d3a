import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { entityManagerOf, Queryable } from '@widget/common';
import { DataSource, IsNull, Repository } from 'typeorm';
import { EndUserEntity, SessionEntity, UsedJtiEntity } from './entities';

export interface EndUserProfile {
  workspaceId: string;
  externalId: string;
  email: string | null;
  name: string | null;
  companyId: string | null;
  companyName: string | null;
  companyPlan: string | null;
}

/** The fields a profile write may change; null/undefined leaves the stored value. */
export interface ProfileChange {
  email?: string | null;
  name?: string | null;
  companyId?: string | null;
  companyName?: string | null;
  companyPlan?: string | null;
  traits?: Record<string, unknown>;
}

const USER_COLUMNS = `id, workspace_id AS "workspaceId", external_id AS "externalId", email, name, company_id AS "companyId",
  company_name AS "companyName", company_plan AS "companyPlan", verified, traits, created_at AS "createdAt", updated_at AS "updatedAt"`;

@Injectable()
export class SessionRepository {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @InjectRepository(EndUserEntity) private readonly users: Repository<EndUserEntity>,
    private readonly dataSource: DataSource,
  ) {}

  /** With `tx`: in that unit of work's transaction (identify's), else on its own. */
  insertSession(row: SessionEntity, tx?: Queryable): Promise<SessionEntity> {
    return (entityManagerOf(tx) ?? this.dataSource.manager).getRepository(SessionEntity).save(row);
  }

  /** SPEC §17: erasing the user must find the anonymous session whose conversations it took. */
  async linkMerge(sessionId: string, userId: string | null, tx: Queryable): Promise<void> {
    await tx.query(`UPDATE session.sessions SET merged_into_user_id = $2 WHERE id = $1`, [sessionId, userId]);
  }

  findByTokenHash(tokenHash: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ tokenHash });
  }

  findById(id: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ id });
  }

  findUser(id: string): Promise<EndUserEntity | null> {
    return this.users.findOneBy({ id });
  }

  /** Slides the expiry forward; returns the new value. */
  async extend(sessionId: string, expiresAt: Date): Promise<void> {
    await this.sessions.update({ id: sessionId, revokedAt: IsNull() }, { expiresAt });
  }

  /** Revokes once; returns the token hash when this call revoked it, null when it already was. */
  async revoke(sessionId: string, manager?: Queryable): Promise<string | null> {
    const rows: { token_hash: string }[][] = await (manager ?? this.dataSource.manager).query(
      `UPDATE session.sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING token_hash`,
      [sessionId],
    );
    return rows[0]?.[0]?.token_hash ?? null;
  }

  /** Records a JWT id; false when it had been used before (replay). */
  async consumeJti(row: UsedJtiEntity, tx: Queryable): Promise<boolean> {
    const result = await entityManagerOf(tx)!
      .createQueryBuilder()
      .insert()
      .into(UsedJtiEntity)
      .values(row)
      .orIgnore()
      .returning(['jti'])
      .execute();
    return result.raw.length === 1;
  }

  async isJtiUsed(widgetId: string, jti: string): Promise<boolean> {
    return (await this.dataSource.getRepository(UsedJtiEntity).countBy({ widgetId, jti })) > 0;
  }

  /** Creates the verified end user or refreshes the profile claims of the one that exists. */
  async upsertUser(id: string, profile: EndUserProfile, manager: Queryable): Promise<EndUserEntity> {
    const rows: EndUserEntity[] = await manager.query(
      `INSERT INTO session.end_users (id, workspace_id, external_id, email, name, company_id, company_name, company_plan, verified)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true)
       ON CONFLICT (workspace_id, external_id) WHERE verified DO UPDATE SET
         email = COALESCE(EXCLUDED.email, end_users.email),
         name = COALESCE(EXCLUDED.name, end_users.name),
         company_id = COALESCE(EXCLUDED.company_id, end_users.company_id),
         company_name = COALESCE(EXCLUDED.company_name, end_users.company_name),
         company_plan = COALESCE(EXCLUDED.company_plan, end_users.company_plan),
         updated_at = now()
       RETURNING ${USER_COLUMNS}`,
      [id, profile.workspaceId, profile.externalId, profile.email, profile.name, profile.companyId, profile.companyName, profile.companyPlan],
    );
    return rows[0];
  }

  /** An unverified claim (identify without a JWT): always a user of its own, never one that exists. */
  async insertUnverifiedUser(id: string, profile: EndUserProfile, manager: Queryable): Promise<EndUserEntity> {
    const rows: EndUserEntity[] = await manager.query(
      `INSERT INTO session.end_users (id, workspace_id, external_id, email, name, company_id, company_name, company_plan, verified)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false)
       RETURNING ${USER_COLUMNS}`,
      [id, profile.workspaceId, profile.externalId, profile.email, profile.name, profile.companyId, profile.companyName, profile.companyPlan],
    );
    return rows[0];
  }

  /** Refreshes a user's profile: given fields replace, traits merge key by key. */
  async updateUser(id: string, change: ProfileChange, manager?: Queryable): Promise<EndUserEntity> {
    const rows: EndUserEntity[][] = await (manager ?? this.dataSource.manager).query(
      `UPDATE session.end_users SET
         email = COALESCE($2, email), name = COALESCE($3, name),
         company_id = COALESCE($4, company_id), company_name = COALESCE($5, company_name), company_plan = COALESCE($6, company_plan),
         traits = traits || $7::jsonb, updated_at = now()
       WHERE id = $1 RETURNING ${USER_COLUMNS}`,
      [id, change.email ?? null, change.name ?? null, change.companyId ?? null, change.companyName ?? null, change.companyPlan ?? null, JSON.stringify(change.traits ?? {})],
    );
    return rows[0][0];
  }

  async setVisitor(sessionId: string, visitor: SessionEntity['visitor']): Promise<void> {
    await this.dataSource.query(`UPDATE session.sessions SET visitor = $2::jsonb WHERE id = $1`, [sessionId, JSON.stringify(visitor)]);
  }

  /** Housekeeping: identity JWT ids a day past their expiry (realtime tokens are signed, nothing stored). */
  async purgeExpired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM session.used_jtis WHERE expires_at < now() - interval '1 day'`);
  }
}
