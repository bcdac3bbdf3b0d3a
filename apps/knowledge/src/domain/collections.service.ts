import { Injectable } from '@nestjs/common';
import { AuditLog, UnitOfWork } from '@widget/common';
import type { AuditContext, Collection, IdempotencyRequest, Page } from '@widget/contracts';
import { CollectionRepository } from '../persistence/collection.repository';
import { collectionView } from './views';

@Injectable()
export class CollectionsService {
  constructor(
    private readonly collections: CollectionRepository,
    private readonly audit: AuditLog,
    private readonly uow: UnitOfWork,
  ) {}

  /** The collection and its audit entry commit together, with the Idempotency-Key when one was sent. */
  create(workspaceId: string, name: string, audit?: AuditContext, idempotency?: IdempotencyRequest): Promise<Collection> {
    return this.uow.run({ idempotency }, async (tx) => {
      const row = await this.collections.insert({ id: tx.newId('collection'), workspaceId, name, createdAt: tx.now() }, tx);
      await this.audit.append(tx, audit, { workspaceId, action: 'collection.created', targetType: 'collection', targetId: row.id });
      return collectionView(row);
    });
  }

  async list(workspaceId: string, cursor: string | undefined, limit: number): Promise<Page<Collection>> {
    const rows = await this.collections.page(workspaceId, cursor, limit + 1);
    const data = rows.slice(0, limit).map(collectionView);
    return { data, nextCursor: rows.length > limit ? data[data.length - 1].id : null };
  }
}
