import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { deleteCounted, Errors } from '@widget/common';
import { ExportChunk, PersonKeys, PersonSelector } from '@widget/contracts';

/**
 * SPEC §17, the session service's knowledge of a person: which end-user rows
 * and sessions one selector names, and what this schema holds under them.
 *
 * - `userId` (the site's id: a JWT's `sub`, an unverified identify's `user.id`):
 *   every end-user row of the workspace with that external id (the verified
 *   one and unverified claims).
 * - `sessionId`: that session; if it is identified, its user as above.
 * - `email`: end users with that email, and anonymous sessions whose visitor
 *   profile carries it (PATCH /sessions/current).
 * Then every session of those users, and the anonymous sessions merged into them.
 */
@Injectable()
export class Persons {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async resolve(workspaceId: string, selector: PersonSelector): Promise<PersonKeys> {
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    let userIds: string[] = [];
    let sessionIds: string[] = [];
    if (selector.userId !== undefined) {
      userIds = ids(await this.db.query(`SELECT id FROM session.end_users WHERE workspace_id = $1 AND external_id = $2`, [workspaceId, selector.userId]));
    } else if (selector.sessionId !== undefined) {
      const rows: { id: string; user_id: string | null; external_id: string | null }[] = await this.db.query(
        `SELECT s.id, s.user_id, u.external_id FROM session.sessions s LEFT JOIN session.end_users u ON u.id = s.user_id WHERE s.workspace_id = $1 AND s.id = $2`,
        [workspaceId, selector.sessionId],
      );
      sessionIds = ids(rows);
      if (rows[0]?.external_id !== undefined && rows[0]?.external_id !== null) {
        userIds = ids(await this.db.query(`SELECT id FROM session.end_users WHERE workspace_id = $1 AND external_id = $2`, [workspaceId, rows[0].external_id]));
      }
    } else if (selector.email !== undefined) {
      userIds = ids(await this.db.query(`SELECT id FROM session.end_users WHERE workspace_id = $1 AND lower(email) = $2`, [workspaceId, selector.email]));
      sessionIds = ids(await this.db.query(`SELECT id FROM session.sessions WHERE workspace_id = $1 AND lower(visitor->>'email') = $2`, [workspaceId, selector.email]));
    }
    if (userIds.length > 0) {
      const ofUsers = ids(
        await this.db.query(`SELECT id FROM session.sessions WHERE workspace_id = $1 AND (user_id = ANY($2::text[]) OR merged_into_user_id = ANY($2::text[]))`, [
          workspaceId,
          userIds,
        ]),
      );
      sessionIds = [...new Set([...sessionIds, ...ofUsers])];
    }
    if (userIds.length === 0 && sessionIds.length === 0) throw Errors.notFound('person');
    return { workspaceId, sessionIds: sessionIds.sort(), userIds: userIds.sort() };
  }

  /** This schema's part of an erasure: the sessions, the end-user rows. Returns the revoked token hashes too. */
  async erase(m: EntityManager, person: PersonKeys): Promise<{ erased: Record<string, number>; tokenHashes: { sessionId: string; tokenHash: string }[] }> {
    const live: { id: string; token_hash: string }[] = await m.query(
      `SELECT id, token_hash FROM session.sessions WHERE workspace_id = $1 AND id = ANY($2::text[]) AND revoked_at IS NULL`,
      [person.workspaceId, person.sessionIds],
    );
    const sessions = await deleteCounted(m, `DELETE FROM session.sessions WHERE workspace_id = $1 AND (id = ANY($2::text[]) OR user_id = ANY($3::text[]))`, [
      person.workspaceId,
      person.sessionIds,
      person.userIds,
    ]);
    // Anonymous sessions of other people merged into these users keep nothing of them but the link.
    await m.query(`UPDATE session.sessions SET merged_into_user_id = NULL WHERE workspace_id = $1 AND merged_into_user_id = ANY($2::text[])`, [person.workspaceId, person.userIds]);
    const endUsers = await deleteCounted(m, `DELETE FROM session.end_users WHERE workspace_id = $1 AND id = ANY($2::text[])`, [person.workspaceId, person.userIds]);
    return {
      erased: { 'session.sessions': sessions, 'session.end_users': endUsers },
      tokenHashes: live.map((r) => ({ sessionId: r.id, tokenHash: r.token_hash })),
    };
  }

  /** This schema's part of an export: the end-user rows and the sessions (never token hashes). One page: it is small. */
  async export(person: PersonKeys): Promise<ExportChunk> {
    const users = await this.db.query(
      `SELECT id, external_id AS "externalId", email, name, company_id AS "companyId", company_name AS "companyName", company_plan AS "companyPlan",
              verified, traits, created_at AS "createdAt", updated_at AS "updatedAt"
         FROM session.end_users WHERE workspace_id = $1 AND id = ANY($2::text[]) ORDER BY id`,
      [person.workspaceId, person.userIds],
    );
    const sessions = await this.db.query(
      `SELECT id, widget_id AS "widgetId", user_id AS "userId", identity_type AS "identityType", locale, visitor, created_at AS "createdAt",
              expires_at AS "expiresAt", revoked_at AS "revokedAt", merged_into_user_id AS "mergedIntoUserId"
         FROM session.sessions WHERE workspace_id = $1 AND (id = ANY($2::text[]) OR user_id = ANY($3::text[])) ORDER BY id`,
      [person.workspaceId, person.sessionIds, person.userIds],
    );
    return { data: { endUsers: users, sessions }, nextCursor: null };
  }
}
