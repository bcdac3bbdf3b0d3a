import { Injectable } from '@nestjs/common';
import { Errors, UnitOfWork } from '@widget/common';
import { Member, Presence, PresenceReport, PresenceStatus, PresentMember } from '@widget/contracts';
import { PresenceRepository } from '../persistence/presence.repository';

/**
 * SPEC §14 presence. An account is present in a workspace when it has an operator socket open there (as the
 * realtime replicas report) and has not set itself away. The realtime replicas report their sockets whole, on
 * every change and on a heartbeat; a report expires unless renewed, so a crashed replica's sockets stop counting.
 */
@Injectable()
export class PresenceService {
  constructor(
    private readonly repo: PresenceRepository,
    private readonly uow: UnitOfWork,
  ) {}

  /** Replaces what the replica reported before; an older report (a retry that lost the race) is ignored. */
  report(report: PresenceReport): Promise<{ accepted: boolean }> {
    return this.uow.run({}, async (tx) => ({ accepted: await this.repo.replaceReport(report, tx) }));
  }

  /** Only a member of the workspace has a presence there (a removed one: member_not_found). */
  async set(workspaceId: string, operatorId: string, status: PresenceStatus): Promise<Presence> {
    const stored = await this.uow.run({}, (tx) => this.repo.setStatus(workspaceId, operatorId, status, tx.now(), tx));
    if (!stored) throw Errors.notFound('operator');
    const connected = await this.repo.isConnected(workspaceId, operatorId);
    return { workspaceId, operatorId, status, connected, present: connected && status === 'online' };
  }

  /**
   * The active members of one of the workspace's teams who are present, by id: routing's candidates.
   * A team of another workspace has none.
   */
  presentMembers(workspaceId: string, teamId: string): Promise<PresentMember[]> {
    return this.repo.presentMembers(workspaceId, teamId);
  }

  /** SPEC §15 availability: at least one active member of the workspace, of any role, is present. */
  async workspacePresent(workspaceId: string): Promise<{ present: boolean }> {
    return { present: await this.repo.workspacePresent(workspaceId) };
  }

  /** The member list with each one's presence: `offline` without an open socket, else the status it set. */
  async withPresence(workspaceId: string, members: Member[]): Promise<Member[]> {
    if (members.length === 0) return members;
    const rows = await this.repo.statuses(workspaceId, members.map((m) => m.id));
    const presence = new Map(rows.map((r) => [r.id, r.connected ? r.status : ('offline' as const)]));
    return members.map((m) => ({ ...m, presence: presence.get(m.id) ?? 'offline' }));
  }
}
