import { Injectable } from '@nestjs/common';
import { entityManagerOf, Queryable } from '@widget/common';
import { DataSource, IsNull } from 'typeorm';
import { ApiKeyEntity } from './entities';

/** Workspace API keys. Writes take the unit of work's transaction. */
@Injectable()
export class ApiKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(row: ApiKeyEntity, tx: Queryable): Promise<void> {
    await entityManagerOf(tx)!.getRepository(ApiKeyEntity).insert(row);
  }

  findBySecretHash(secretHash: string): Promise<ApiKeyEntity | null> {
    return this.dataSource.getRepository(ApiKeyEntity).findOneBy({ secretHash });
  }

  /** The workspace's keys not revoked, oldest first (ids sort by time). */
  listLive(workspaceId: string): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({ where: { workspaceId, revokedAt: IsNull() }, order: { id: 'ASC' } });
  }

  /** false when the workspace has no such key not yet revoked (nothing written). */
  async revoke(workspaceId: string, id: string, at: Date, tx: Queryable): Promise<boolean> {
    const result = await entityManagerOf(tx)!.getRepository(ApiKeyEntity).update({ id, workspaceId, revokedAt: IsNull() }, { revokedAt: at });
    return !!result.affected;
  }

  async touch(id: string, at: Date, tx: Queryable): Promise<void> {
    await entityManagerOf(tx)!.getRepository(ApiKeyEntity).update({ id }, { lastUsedAt: at });
  }
}
