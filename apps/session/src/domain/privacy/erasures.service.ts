import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditLog, ErasureLedger, Errors, InjectConfig, InjectLogger, NatsBus, newId, Scheduler } from '@widget/common';
import type { Logger } from 'pino';
import {
  AuditContext,
  ConversationRpc,
  ErasePersonReply,
  ErasurePartView,
  ErasureView,
  EventsRpc,
  FormsRpc,
  IntegrationsRpc,
  KnowledgeRpc,
  PersonKeys,
  PersonSelector,
  PRIVACY_PARTS,
  PrivacyPart,
  Rpc,
  SessionEvents,
} from '@widget/contracts';
import type { SessionConfig } from '../../config';
import { Persons } from './persons';

/** How each part other than this service's own is asked to erase. */
const REMOTE_PARTS: Record<Exclude<PrivacyPart, 'session'>, Rpc<{ erasureId: string; person: PersonKeys }, ErasePersonReply>> = {
  conversation: ConversationRpc.erasePerson,
  knowledge: KnowledgeRpc.erasePerson,
  forms: FormsRpc.erasePerson,
  events: EventsRpc.erasePerson,
  integrations: IntegrationsRpc.erasePerson,
};

/** A part is retried after 2^attempts seconds, at most this long. */
const MAX_BACKOFF_MS = 5 * 60_000;
/** A claimed part is not claimed again by another replica for this long (its request's time-out is shorter). */
const LEASE_MS = 30_000;

interface PartRow {
  erasure_id: string;
  part: PrivacyPart;
  status: 'pending' | 'done';
  attempts: number;
  erased: Record<string, number> | null;
  done_at: Date | null;
}

/**
 * SPEC §17: an erasure is a durable, resumable process. The request records
 * the erasure, the keys of the person and one pending part per service, in one
 * transaction (with its audit entry), and answers 202. A driver then works
 * each pending part: this service's own in its own schema, every other by a
 * NATS request the part answers idempotently (its ledger). A part that fails
 * or times out (its service is down) is retried with backoff, by whichever
 * session replica claims it first (a lease, SKIP LOCKED), until it is done;
 * the erasure is `done` when every part is. The erased person's sessions are
 * revoked on every replica (sockets closed, gateway caches dropped).
 */
@Injectable()
export class ErasuresService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private running: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly persons: Persons,
    private readonly ledger: ErasureLedger,
    private readonly audit: AuditLog,
    private readonly bus: NatsBus,
    @InjectConfig() private readonly config: SessionConfig,
    private readonly scheduler: Scheduler,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'Erasures' });
  }

  async request(workspaceId: string, selector: PersonSelector, audit: AuditContext | undefined): Promise<ErasureView> {
    await this.requireWorkspace(workspaceId);
    const person = await this.persons.resolve(workspaceId, selector);
    const id = newId('erasure');
    const kind = Object.keys(selector).find((k) => selector[k as keyof PersonSelector] !== undefined) as keyof PersonSelector;
    await this.db.transaction(async (m) => {
      await m.query(`INSERT INTO session.erasures (id, workspace_id, selector, person, status) VALUES ($1, $2, $3, $4::jsonb, 'pending')`, [
        id,
        workspaceId,
        kind,
        JSON.stringify(person),
      ]);
      for (const part of PRIVACY_PARTS) await m.query(`INSERT INTO session.erasure_parts (erasure_id, part, status) VALUES ($1, $2, 'pending')`, [id, part]);
      await this.audit.append(m, audit, { workspaceId, action: 'erasure.requested', targetType: 'erasure', targetId: id });
    });
    this.kick();
    return this.get(workspaceId, id);
  }

  async get(workspaceId: string, erasureId: string): Promise<ErasureView> {
    const rows: { id: string; workspace_id: string; selector: ErasureView['selector']; status: ErasureView['status']; created_at: Date; done_at: Date | null }[] =
      await this.db.query(`SELECT id, workspace_id, selector, status, created_at, done_at FROM session.erasures WHERE id = $1 AND workspace_id = $2`, [erasureId, workspaceId]);
    if (rows.length === 0) throw Errors.notFound('erasure');
    const parts: PartRow[] = await this.db.query(`SELECT * FROM session.erasure_parts WHERE erasure_id = $1`, [erasureId]);
    const view = (p: PartRow): ErasurePartView => ({ status: p.status, attempts: p.attempts, doneAt: p.done_at ? new Date(p.done_at).toISOString() : null, erased: p.erased });
    const row = rows[0];
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      status: row.status,
      selector: row.selector,
      createdAt: new Date(row.created_at).toISOString(),
      doneAt: row.done_at ? new Date(row.done_at).toISOString() : null,
      parts: Object.fromEntries(parts.map((p) => [p.part, view(p)])) as ErasureView['parts'],
    };
  }

  onApplicationBootstrap(): void {
    this.scheduler.every('erasure-retries', this.config.ERASURE_RETRY_INTERVAL_MS, () => this.kick());
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running;
  }

  /** Works the due parts now (one run at a time per process). */
  kick(): void {
    if (this.running) return;
    this.running = this.drive()
      .catch((err) => this.logger.warn(`erasure driver: ${(err as Error).message}`))
      .finally(() => {
        this.running = null;
      });
  }

  /** Claims due parts (a lease), works them concurrently, records each outcome; loops while some were due. */
  private async drive(): Promise<void> {
    for (;;) {
      const due: { erasure_id: string; part: PrivacyPart; attempts: number; workspace_id: string; person: PersonKeys }[] = await this.db.query(
        `UPDATE session.erasure_parts p SET next_attempt_at = now() + interval '${LEASE_MS} milliseconds', attempts = p.attempts + 1
           FROM session.erasures e
          WHERE e.id = p.erasure_id AND (p.erasure_id, p.part) IN (
                SELECT erasure_id, part FROM session.erasure_parts
                 WHERE status = 'pending' AND next_attempt_at <= now()
                 ORDER BY next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED)
        RETURNING p.erasure_id, p.part, p.attempts, e.workspace_id, e.person`,
      ).then((r: unknown) => (Array.isArray(r) && Array.isArray(r[0]) ? r[0] : r) as never);
      if (due.length === 0) return;
      await Promise.all(due.map((d) => this.work(d.erasure_id, d.part, d.attempts, d.workspace_id, d.person)));
    }
  }

  private async work(erasureId: string, part: PrivacyPart, attempts: number, workspaceId: string, person: PersonKeys): Promise<void> {
    try {
      const { erased } = part === 'session' ? await this.eraseOwn(erasureId, workspaceId, person) : await this.bus.send(REMOTE_PARTS[part], { erasureId, person }, { timeoutMs: 10_000 });
      await this.db.transaction(async (m) => {
        // The erasure's row lock orders the parts finishing at once: the last one sees every other committed, and closes it.
        await m.query(`SELECT 1 FROM session.erasures WHERE id = $1 FOR UPDATE`, [erasureId]);
        await m.query(`UPDATE session.erasure_parts SET status = 'done', erased = $3::jsonb, done_at = now() WHERE erasure_id = $1 AND part = $2`, [
          erasureId,
          part,
          JSON.stringify(erased),
        ]);
        await m.query(
          `UPDATE session.erasures SET status = 'done', done_at = now()
            WHERE id = $1 AND status = 'pending' AND NOT EXISTS (SELECT 1 FROM session.erasure_parts WHERE erasure_id = $1 AND status = 'pending')`,
          [erasureId],
        );
      });
    } catch (err) {
      const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 20));
      await this.db.query(`UPDATE session.erasure_parts SET next_attempt_at = now() + ($3::int * interval '1 millisecond') WHERE erasure_id = $1 AND part = $2`, [
        erasureId,
        part,
        backoff,
      ]);
      this.logger.warn(`erasure ${erasureId}: part ${part} failed (attempt ${attempts}, next in ${backoff} ms): ${(err as Error).message}`);
    }
  }

  /** This service's part, recorded in its ledger; then every replica drops the sessions (sockets closed, caches forgotten). */
  private async eraseOwn(erasureId: string, workspaceId: string, person: PersonKeys): Promise<{ erased: Record<string, number> }> {
    let revoked: { sessionId: string; tokenHash: string }[] = [];
    const result = await this.ledger.run(erasureId, workspaceId, async (m) => {
      const { erased, tokenHashes } = await this.persons.erase(m, person);
      revoked = tokenHashes;
      return erased;
    });
    for (const r of revoked) await this.bus.emit(SessionEvents.revoked, { sessionId: r.sessionId, tokenHash: r.tokenHash, reason: 'erased' }, { confirm: true });
    return result;
  }

  private async requireWorkspace(workspaceId: string): Promise<void> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM session.workspaces WHERE id = $1`, [workspaceId]);
    if (rows.length === 0) throw Errors.notFound('workspace');
  }
}
