import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectConfig, InjectLogger, NatsBus, Scheduler, yieldShareOfTime } from '@widget/common';
import type { Logger } from 'pino';
import { RetentionPolicy, SessionRpc } from '@widget/contracts';
import type { ConversationConfig } from '../config';
import { Erased } from './privacy.repository';
import { PrivacyService } from './privacy.service';

/** Conversations (or attachments) per retention transaction: short transactions, short row locks. */
export const RETENTION_BATCH = 200;
/** The first pass after start-up, so a replica restarted more often than the interval still sweeps. */
const FIRST_PASS_MAX_MS = 30_000;

/**
 * SPEC §17 retention, every RETENTION_SWEEP_INTERVAL_MS on every replica: asks the session service for the
 * workspaces' settings and deletes, per workspace, conversations whose last activity is older than
 * `conversationDays` (messages and attachments with them) and attachments older than `attachmentDays`, in
 * batches of RETENTION_BATCH, each its own transaction whose rows are taken `FOR UPDATE SKIP LOCKED`: replicas
 * sweeping at once take different rows, and chat never waits on more than one batch's locks. When the session
 * service does not answer, the pass is logged and skipped; the next one asks again.
 */
@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap {
  private readonly logger: Logger;
  private running = false;
  private stopped = false;

  constructor(
    private readonly bus: NatsBus,
    private readonly privacy: PrivacyService,
    @InjectConfig() private readonly config: ConversationConfig,
    private readonly scheduler: Scheduler,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'Retention' });
  }

  onApplicationBootstrap(): void {
    const every = this.config.RETENTION_SWEEP_INTERVAL_MS;
    this.scheduler.every('conversation-retention', every, () => this.run(), { firstInMs: Math.min(every, FIRST_PASS_MAX_MS), onStop: () => (this.stopped = true) });
  }

  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      let policies: RetentionPolicy[];
      try {
        policies = await this.bus.send(SessionRpc.retentionPolicies, {});
      } catch (err) {
        this.logger.warn(`retention: the session service did not give the workspaces' settings (${(err as Error).message}); tried again next pass`);
        return;
      }
      for (const { workspaceId, retention } of policies) {
        try {
          if (retention.conversationDays) await this.drain(workspaceId, 'conversations', (limit) => this.privacy.expireConversations(workspaceId, retention.conversationDays!, limit));
          if (retention.attachmentDays) await this.drain(workspaceId, 'attachments', (limit) => this.privacy.expireAttachments(workspaceId, retention.attachmentDays!, limit));
        } catch (err) {
          this.logger.error(`retention of ${workspaceId} failed, tried again next pass: ${(err as Error).message}`);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Batches until one comes back short; the sum is logged (counts only). */
  private async drain(workspaceId: string, kind: 'conversations' | 'attachments', batch: (limit: number) => Promise<Erased>): Promise<void> {
    const total: Erased = {};
    for (;;) {
      const started = performance.now();
      const erased = await batch(RETENTION_BATCH);
      for (const [table, n] of Object.entries(erased)) total[table] = (total[table] ?? 0) + n;
      if (erased[kind] < RETENTION_BATCH || this.stopped) break;
      await yieldShareOfTime(started, this.config.RETENTION_SWEEP_SHARE);
    }
    if (total[kind] > 0) this.logger.info(`retention of ${workspaceId} deleted ${JSON.stringify(total)}`);
  }
}
