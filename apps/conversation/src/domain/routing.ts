import { Injectable } from '@nestjs/common';
import { InjectConfig, InjectLogger, NatsBus, Tx } from '@widget/common';
import type { Logger } from 'pino';
import { PresentMember, TeamRpc, WidgetRouting } from '@widget/contracts';
import type { ConversationConfig } from '../config';
import { ConversationRepository } from '../persistence/conversation.repository';
import { ConversationEntity } from '../persistence/entities';
import type { OutboxRow } from '../persistence/outbox.repository';
import { RoutingRepository } from '../persistence/routing.repository';
import { audienceOf, visitorEvent } from './views';

export type RoutingStrategy = 'round_robin' | 'least_busy';

/** Who may get a new conversation, asked before its transaction: a team's present members, by id. */
export interface RoutingPlan {
  teamId: string;
  strategy: RoutingStrategy;
  candidates: PresentMember[];
}

const byId = (a: PresentMember, b: PresentMember) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** round_robin: the first present member after the one given the last conversation, wrapping around. */
export function nextInTurn(candidates: PresentMember[], last: string | null): PresentMember {
  return (last !== null && candidates.find((c) => c.id > last)) || candidates[0];
}

/** least_busy: the fewest open conversations assigned in the workspace; ties go to the smallest id. */
export function leastBusy(candidates: PresentMember[], open: Map<string, number>): PresentMember {
  return candidates.reduce((best, c) => ((open.get(c.id) ?? 0) < (open.get(best.id) ?? 0) ? c : best));
}

/**
 * SPEC §14 routing: a visitor's new conversation goes to a present agent of the widget's `defaultTeamId` under
 * `round_robin` or `least_busy`; `platform_default`, no team, nobody present, or a team service that is down or
 * slower than ROUTING_TIMEOUT_MS leave it unassigned (logged), and creation goes on.
 */
@Injectable()
export class RoutingService {
  private readonly logger: Logger;

  constructor(
    private readonly bus: NatsBus,
    private readonly conversations: ConversationRepository,
    private readonly state: RoutingRepository,
    @InjectConfig() private readonly config: ConversationConfig,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'Routing' });
  }

  /** Null when nothing is to be assigned. Asked outside the transaction, so no row lock waits on the team service. */
  async plan(workspaceId: string, routing: WidgetRouting | undefined): Promise<RoutingPlan | null> {
    const strategy = routing?.assignmentStrategy;
    const teamId = routing?.defaultTeamId;
    if (!teamId || (strategy !== 'round_robin' && strategy !== 'least_busy')) return null;
    let candidates: PresentMember[];
    try {
      candidates = await this.bus.send(TeamRpc.presentMembers, { workspaceId, teamId }, { timeoutMs: this.config.ROUTING_TIMEOUT_MS });
    } catch (err) {
      this.logger.warn(`routing: no answer from the team service for ${teamId} of ${workspaceId} (${(err as Error).message}); the conversation stays unassigned`);
      return null;
    }
    return candidates.length > 0 ? { teamId, strategy, candidates: [...candidates].sort(byId) } : null;
  }

  /**
   * In the creating transaction, once the conversation is inserted (an idempotent retry takes no turn): the team's
   * row lock, the choice, the turn saved, the assignee written, and the `conversation.assigned` event.
   */
  async assign(tx: Tx, row: ConversationEntity, plan: RoutingPlan): Promise<{ row: ConversationEntity; event: OutboxRow }> {
    const last = await this.state.lockTeam(row.workspaceId, plan.teamId, tx);
    const chosen =
      plan.strategy === 'round_robin'
        ? nextInTurn(plan.candidates, last)
        : leastBusy(plan.candidates, await this.state.openAssigned(row.workspaceId, plan.candidates.map((c) => c.id), tx));
    await this.state.saveTurn(row.workspaceId, plan.teamId, chosen.id, tx);
    const assigned = await this.conversations.patch(row.id, { status: row.status, assigneeId: chosen.id, assigneeName: chosen.name }, row.updatedAt, tx);
    const assignee = { id: chosen.id, name: chosen.name };
    return { row: assigned, event: visitorEvent(tx, 'conversationAssigned', audienceOf(assigned), { conversationId: row.id, assignee, by: plan.strategy }) };
  }
}
