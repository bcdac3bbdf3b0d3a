import { Injectable } from '@nestjs/common';
import { entityManagerOf, Queryable } from '@widget/common';
import { DataSource, EntityManager } from 'typeorm';
import { OperatorEntity, OperatorTokenEntity } from './entities';

/** Operator accounts and their logins. With `tx`: in that unit of work's transaction, else on the pool. */
@Injectable()
export class OperatorRepository {
  constructor(private readonly dataSource: DataSource) {}

  private manager(tx?: Queryable): EntityManager {
    return entityManagerOf(tx) ?? this.dataSource.manager;
  }

  findByEmail(email: string, tx?: Queryable): Promise<OperatorEntity | null> {
    return this.manager(tx).getRepository(OperatorEntity).findOneBy({ email });
  }

  find(id: string, tx?: Queryable): Promise<OperatorEntity | null> {
    return this.manager(tx).getRepository(OperatorEntity).findOneBy({ id });
  }

  /** An account for this email unless one exists (a person invited to a second workspace keeps theirs). */
  async insertIfAbsent(row: Pick<OperatorEntity, 'id' | 'email' | 'name' | 'createdAt'>, tx: Queryable): Promise<void> {
    await tx.query(`INSERT INTO team.operators (id, email, name, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING`, [
      row.id,
      row.email,
      row.name,
      row.createdAt,
    ]);
  }

  async update(id: string, changes: Partial<Pick<OperatorEntity, 'name' | 'passwordHash'>>, tx: Queryable): Promise<void> {
    await this.manager(tx).getRepository(OperatorEntity).update({ id }, changes);
  }

  async insertToken(row: OperatorTokenEntity, tx: Queryable): Promise<void> {
    await this.manager(tx).getRepository(OperatorTokenEntity).insert(row);
  }

  findToken(tokenHash: string): Promise<OperatorTokenEntity | null> {
    return this.dataSource.getRepository(OperatorTokenEntity).findOneBy({ tokenHash });
  }

  async deleteToken(tokenHash: string, tx: Queryable): Promise<void> {
    await this.manager(tx).getRepository(OperatorTokenEntity).delete({ tokenHash });
  }

  async deleteTokensExpiredBy(at: Date, tx: Queryable): Promise<void> {
    await tx.query(`DELETE FROM team.operator_tokens WHERE expires_at < $1`, [at]);
  }
}
