import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'collections' })
export class CollectionEntity {
  @PrimaryColumn('text') id: string;
  @Column('text', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') name: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}

/**
 * Articles are read and written with SQL in ArticleRepository: their
 * regconfig and generated tsvector columns have no TypeORM type.
 */
export const KNOWLEDGE_ENTITIES = [CollectionEntity];
