import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Errors, InjectConfig, NatsBus, Scheduler, zodDetails } from '@widget/common';
import { PresenceReport, presenceBody, TeamRpc } from '@widget/contracts';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RealtimeConfig } from '../config';
import type { Viewer } from '../core/viewer';
import { LOGGER } from '../logger.token';

/** A report counts for this many heartbeats, so one lost report does not make anybody absent. */
const REPORT_LIFETIME_HEARTBEATS = 3;
/** On shutdown, the last report (no sockets) is waited for at most this long. */
const FAREWELL_TIMEOUT_MS = 1000;

/** The account behind an operator socket, or null: visitors, the root key and API keys have no presence. */
function accountOf(viewer: Viewer): { workspaceId: string; operatorId: string } | null {
  if (viewer.kind !== 'operator') return null;
  const { principal, workspaceId } = viewer.operator;
  return principal?.kind === 'operator' && principal.id ? { workspaceId, operatorId: principal.id } : null;
}

/**
 * SPEC §14 presence, this replica's part: which accounts have an operator socket open here, reported whole to the
 * team service (which keeps presence for every replica) on every change and every PRESENCE_HEARTBEAT_MS. Reports
 * go one at a time, in order (`seq`); one that fails is made good by the next. A report lives three heartbeats, so
 * a crashed replica's sockets stop counting; a replica that shuts down reports none before it goes.
 */
@Injectable()
export class PresenceService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly replicaId = `rt_${randomUUID()}`;
  private seq = 0;
  /** Open sockets per account and workspace (`workspaceId operatorId`). */
  private readonly open = new Map<string, { workspaceId: string; operatorId: string; sockets: number }>();
  private reporting: Promise<void> | null = null;
  private stale = false;
  private closed = false;

  constructor(
    private readonly bus: NatsBus,
    @InjectConfig() private readonly config: RealtimeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly scheduler: Scheduler,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.every('presence-heartbeat', this.config.PRESENCE_HEARTBEAT_MS, () => this.report());
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.reporting;
    await this.send(0, FAREWELL_TIMEOUT_MS);
  }

  /** A socket was admitted. */
  connected(viewer: Viewer): void {
    const account = accountOf(viewer);
    if (!account) return;
    const key = `${account.workspaceId} ${account.operatorId}`;
    const entry = this.open.get(key);
    if (entry) entry.sockets += 1;
    else {
      this.open.set(key, { ...account, sockets: 1 });
      this.report();
    }
  }

  /** An admitted socket closed. */
  disconnected(viewer: Viewer): void {
    const account = accountOf(viewer);
    if (!account) return;
    const key = `${account.workspaceId} ${account.operatorId}`;
    const entry = this.open.get(key);
    if (!entry) return;
    entry.sockets -= 1;
    if (entry.sockets > 0) return;
    this.open.delete(key);
    this.report();
  }

  /** `presence.set { status }` from an operator socket: an account's, in the token's workspace. */
  async set(viewer: Viewer, body: unknown): Promise<void> {
    const account = accountOf(viewer);
    if (!account) throw Errors.operatorRequired();
    const parsed = presenceBody.safeParse(body);
    if (!parsed.success) throw Errors.validation(zodDetails(parsed.error));
    await this.bus.send(TeamRpc.setPresence, { ...account, status: parsed.data.status });
  }

  /** Reports now, or right after the report in flight (with what is open by then). */
  private report(): void {
    this.stale = true;
    if (this.reporting || this.closed) return;
    this.reporting = (async () => {
      while (this.stale && !this.closed) {
        this.stale = false;
        await this.send(this.config.PRESENCE_HEARTBEAT_MS * REPORT_LIFETIME_HEARTBEATS);
      }
    })().finally(() => {
      this.reporting = null;
      // A change that came while the last report was being settled.
      if (this.stale) this.report();
    });
  }

  private async send(ttlMs: number, timeoutMs?: number): Promise<void> {
    const report: PresenceReport = {
      replicaId: this.replicaId,
      seq: ++this.seq,
      ttlMs,
      sockets: ttlMs === 0 ? [] : [...this.open.values()].map(({ workspaceId, operatorId }) => ({ workspaceId, operatorId })),
    };
    try {
      await this.bus.send(TeamRpc.reportPresence, report, { timeoutMs });
    } catch (err) {
      this.logger.warn({ err, replicaId: this.replicaId }, 'presence report failed; the next heartbeat reports again');
    }
  }
}
