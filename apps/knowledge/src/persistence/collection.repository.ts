import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { entityManagerOf, Queryable } from '@widget/common';
import { In, MoreThan, Repository } from 'typeorm';
import { CollectionEntity } from './entities';

@Injectable()
export class CollectionRepository {
  constructor(@InjectRepository(CollectionEntity) private readonly collections: Repository<CollectionEntity>) {}

  /** Inside `tx` (the create's unit of work, with its audit entry and Idempotency-Key). */
  insert(row: CollectionEntity, tx: Queryable): Promise<CollectionEntity> {
    return entityManagerOf(tx)!.withRepository(this.collections).save(row);
  }

  findInWorkspace(workspaceId: string, id: string): Promise<CollectionEntity | null> {
    return this.collections.findOneBy({ workspaceId, id });
  }

  countInWorkspace(workspaceId: string, ids: string[]): Promise<number> {
    return this.collections.countBy({ workspaceId, id: In(ids) });
  }

  /** Oldest first, keyset on the time-ordered id. */
  page(workspaceId: string, after: string | undefined, limit: number): Promise<CollectionEntity[]> {
    return this.collections.find({
      where: after ? { workspaceId, id: MoreThan(after) } : { workspaceId },
      order: { id: 'ASC' },
      take: limit,
    });
  }
}
