import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { newId } from '@widget/common';
import type { Collection, Page } from '@widget/contracts';
import { CollectionRepository } from '../persistence/collection.repository';
import { collectionView } from './views';

@Injectable()
export class CollectionsService {
  constructor(private readonly collections: CollectionRepository) {}

  async create(workspaceId: string, name: string, m?: EntityManager): Promise<Collection> {
    const row = await this.collections.insert({ id: newId('collection'), workspaceId, name, createdAt: new Date() }, m);
    return collectionView(row);
  }

  async list(workspaceId: string, cursor: string | undefined, limit: number): Promise<Page<Collection>> {
    const rows = await this.collections.page(workspaceId, cursor, limit + 1);
    const data = rows.slice(0, limit).map(collectionView);
    return { data, nextCursor: rows.length > limit ? data[data.length - 1].id : null };
  }
}
