import { Injectable } from '@nestjs/common';
import { hashToken, InjectConfig, NatsBus } from '@widget/common';
import { SessionContext, SessionRpc } from '@widget/contracts';
import { LRUCache } from 'lru-cache';
import type { GatewayConfig } from '../config';

/**
 * Session token → caller context, without a database round trip per request.
 *
 * An entry lives at most SESSION_CACHE_TTL_MS (and never past the session's
 * expiry). Revocation is pushed: the session service broadcasts
 * `session.revoked` (no queue group, so every gateway replica receives it)
 * before it answers the shutdown or identify, and each replica drops the
 * entry. If NATS drops this replica, everything is forgotten on reconnect,
 * since broadcasts may have been missed. See docs/architecture.md.
 */
@Injectable()
export class SessionCache {
  private readonly entries: LRUCache<string, SessionContext>;
  /** Bumped by every forget and reconnect: an answer asked for before one of them is used but not kept (it may predate the revocation). */
  private generation = 0;

  constructor(
    private readonly bus: NatsBus,
    @InjectConfig() private readonly config: GatewayConfig,
  ) {
    this.entries = new LRUCache({ max: 100_000, ttlAutopurge: false });
    bus.onReconnect(() => {
      this.generation++;
      this.entries.clear();
    });
  }

  async authenticate(token: string, requestId: string): Promise<SessionContext> {
    const key = hashToken(token);
    const cached = this.entries.get(key);
    if (cached) return cached;
    const asked = this.generation;
    const session = await this.bus.send(SessionRpc.authenticate, { token }, { requestId });
    const ttl = Math.min(this.config.SESSION_CACHE_TTL_MS, Date.parse(session.expiresAt) - Date.now());
    if (ttl > 0 && asked === this.generation) this.entries.set(key, session, { ttl });
    return session;
  }

  /** The cached context of a token this replica already resolved as valid, without asking anyone. */
  peek(token: string): SessionContext | undefined {
    return this.entries.get(hashToken(token));
  }

  forget(tokenHash: string): void {
    this.generation++;
    this.entries.delete(tokenHash);
  }
}
