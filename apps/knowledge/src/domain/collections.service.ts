import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog, newId, withinTransaction } from '@widget/common';
import type { AuditContext, Collection, Page } from '@widget/contracts';
import { CollectionRepository } from '../persistence/collection.repository';
import { collectionView } from './views';

@Injectable()
export class CollectionsService {
  constructor(
    private readonly collections: CollectionRepository,
    private readonly audit: AuditLog,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** The collection and its audit entry commit together, in `m` when it is a transaction (an Idempotency-Key's). */
  create(workspaceId: string, name: string, audit?: AuditContext, m?: EntityManager): Promise<Collection> {
    return withinTransaction(this.db, m, async (t) => {
      const row = await this.collections.insert({ id: newId('collection'), workspaceId, name, createdAt: new Date() }, t);
      await this.audit.append(t, audit, { workspaceId, action: 'collection.created', targetType: 'collection', targetId: row.id });
      return collectionView(row);
    });
  }

  async list(workspaceId: string, cursor: string | undefined, limit: number): Promise<Page<Collection>> {
    const rows = await this.collections.page(workspaceId, cursor, limit + 1);
    const data = rows.slice(0, limit).map(collectionView);
    return { data, nextCursor: rows.length > limit ? data[data.length - 1].id : null };
  }
}
