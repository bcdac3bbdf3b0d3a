import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { entityManagerOf, Queryable } from '@widget/common';
import { DataSource, Repository } from 'typeorm';
import { WidgetEntity, WorkspaceEntity } from './entities';

@Injectable()
export class WidgetRepository {
  constructor(
    @InjectRepository(WorkspaceEntity) private readonly workspaces: Repository<WorkspaceEntity>,
    @InjectRepository(WidgetEntity) private readonly widgets: Repository<WidgetEntity>,
    private readonly dataSource: DataSource,
  ) {}

  /** With `m`: inside that unit of work's transaction (a create or change with its audit entry); so for the others. */
  insertWorkspace(row: WorkspaceEntity, m?: Queryable): Promise<WorkspaceEntity> {
    return (m ? entityManagerOf(m)!.withRepository(this.workspaces) : this.workspaces).save(row);
  }

  findWorkspace(id: string, m?: Queryable): Promise<WorkspaceEntity | null> {
    return (m ? entityManagerOf(m)!.withRepository(this.workspaces) : this.workspaces).findOneBy({ id });
  }

  insertWidget(row: WidgetEntity, m?: Queryable): Promise<WidgetEntity> {
    return (m ? entityManagerOf(m)!.withRepository(this.widgets) : this.widgets).save(row);
  }

  findWidget(id: string): Promise<WidgetEntity | null> {
    return this.widgets.findOneBy({ id });
  }

  /** Oldest first (ids sort by time). */
  workspaceWidgets(workspaceId: string): Promise<WidgetEntity[]> {
    return this.widgets.find({ where: { workspaceId }, order: { id: 'ASC' } });
  }

  async updateWidget(id: string, changes: Pick<WidgetEntity, 'updatedAt'> & Partial<Pick<WidgetEntity, 'config' | 'secretSealed'>>, m?: Queryable): Promise<void> {
    await (m ? entityManagerOf(m)!.withRepository(this.widgets) : this.widgets).update({ id }, changes);
  }

  /** Every origin pattern any widget allows: what CORS preflight (no widget known yet) may answer. */
  async allOriginPatterns(): Promise<string[]> {
    const rows: { pattern: string }[] = await this.dataSource.query(
      `SELECT DISTINCT jsonb_array_elements_text(config->'allowedOrigins') AS pattern FROM session.widgets WHERE (config->>'enabled')::boolean`,
    );
    return rows.map((r) => r.pattern);
  }
}
