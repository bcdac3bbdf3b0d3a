import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, Repository } from 'typeorm';
import { EndUserEntity, OperatorRealtimeTokenEntity, RealtimeTokenEntity, SessionEntity, UsedJtiEntity } from './entities';

export interface EndUserProfile {
  workspaceId: string;
  externalId: string;
  email: string | null;
  name: string | null;
  companyId: string | null;
}

@Injectable()
export class SessionRepository {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @InjectRepository(EndUserEntity) private readonly users: Repository<EndUserEntity>,
    @InjectRepository(RealtimeTokenEntity) private readonly realtimeTokens: Repository<RealtimeTokenEntity>,
    @InjectRepository(OperatorRealtimeTokenEntity) private readonly operatorTokens: Repository<OperatorRealtimeTokenEntity>,
    private readonly dataSource: DataSource,
  ) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  insertSession(row: SessionEntity, manager?: EntityManager): Promise<SessionEntity> {
    return (manager ?? this.dataSource.manager).getRepository(SessionEntity).save(row);
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
  async revoke(sessionId: string, manager?: EntityManager): Promise<string | null> {
    const rows: { token_hash: string }[][] = await (manager ?? this.dataSource.manager).query(
      `UPDATE session.sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING token_hash`,
      [sessionId],
    );
    return rows[0]?.[0]?.token_hash ?? null;
  }

  /** Records a JWT id; false when it had been used before (replay). */
  async consumeJti(row: UsedJtiEntity, manager: EntityManager): Promise<boolean> {
    const result = await manager
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

  /** Creates the end user or refreshes the profile claims of the one that exists. */
  async upsertUser(id: string, profile: EndUserProfile, manager: EntityManager): Promise<EndUserEntity> {
    const rows: EndUserEntity[] = await manager.query(
      `INSERT INTO session.end_users (id, workspace_id, external_id, email, name, company_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (workspace_id, external_id) DO UPDATE SET
         email = COALESCE(EXCLUDED.email, end_users.email),
         name = COALESCE(EXCLUDED.name, end_users.name),
         company_id = COALESCE(EXCLUDED.company_id, end_users.company_id),
         updated_at = now()
       RETURNING id, workspace_id AS "workspaceId", external_id AS "externalId", email, name, company_id AS "companyId"`,
      [id, profile.workspaceId, profile.externalId, profile.email, profile.name, profile.companyId],
    );
    return rows[0];
  }

  insertRealtimeToken(row: RealtimeTokenEntity): Promise<RealtimeTokenEntity> {
    return this.realtimeTokens.save(row);
  }

  async findRealtimeToken(tokenHash: string): Promise<RealtimeTokenEntity | null> {
    return this.realtimeTokens.findOneBy({ tokenHash });
  }

  insertOperatorToken(row: OperatorRealtimeTokenEntity): Promise<OperatorRealtimeTokenEntity> {
    return this.operatorTokens.save(row);
  }

  findOperatorToken(tokenHash: string): Promise<OperatorRealtimeTokenEntity | null> {
    return this.operatorTokens.findOneBy({ tokenHash });
  }

  /** Housekeeping: expired realtime tokens and JWT ids past their expiry. */
  async purgeExpired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM session.realtime_tokens WHERE expires_at < now()`);
    await this.dataSource.query(`DELETE FROM session.operator_realtime_tokens WHERE expires_at < now()`);
    await this.dataSource.query(`DELETE FROM session.used_jtis WHERE expires_at < now() - interval '1 day'`);
  }
}
