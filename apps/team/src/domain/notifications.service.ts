import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Errors } from '@widget/common';
import { NotificationSettings, NotifiedMember } from '@widget/contracts';
import { DataSource } from 'typeorm';

/** Issue 22: a member's email notifications in a workspace (one so far: a new conversation while nobody is present). */
@Injectable()
export class NotificationsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async set(workspaceId: string, operatorId: string, newConversationEmail: boolean): Promise<NotificationSettings> {
    const [rows]: [unknown[], number] = await this.db.query(
      `UPDATE team.memberships SET notify_new_conversation = $3 WHERE workspace_id = $1 AND operator_id = $2 AND status = 'active' RETURNING operator_id`,
      [workspaceId, operatorId, newConversationEmail],
    );
    if (rows.length === 0) throw Errors.notFound('operator');
    return { workspaceId, newConversationEmail };
  }

  /** The active members who asked for it. */
  recipients(workspaceId: string): Promise<NotifiedMember[]> {
    return this.db.query(
      `SELECT o.id, o.email, o.name FROM team.memberships ms JOIN team.operators o ON o.id = ms.operator_id
        WHERE ms.workspace_id = $1 AND ms.status = 'active' AND ms.notify_new_conversation ORDER BY o.id`,
      [workspaceId],
    );
  }
}
