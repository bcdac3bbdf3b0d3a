import { Injectable } from '@nestjs/common';
import { entityManagerOf, Queryable } from '@widget/common';
import { DataSource } from 'typeorm';
import { TeamEntity } from './entities';

/** Teams of members. Writes take the unit of work's transaction. */
@Injectable()
export class TeamRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(row: TeamEntity, tx: Queryable): Promise<void> {
    await entityManagerOf(tx)!.getRepository(TeamEntity).insert(row);
  }

  /** Oldest first (ids sort by time). */
  list(workspaceId: string): Promise<TeamEntity[]> {
    return this.dataSource.getRepository(TeamEntity).find({ where: { workspaceId }, order: { id: 'ASC' } });
  }
}
