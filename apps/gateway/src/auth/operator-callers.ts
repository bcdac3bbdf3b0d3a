import { Controller, Injectable } from '@nestjs/common';
import { Errors, hashToken, InjectConfig, NatsBus, OnEvent, safeEqual } from '@widget/common';
import { AccessChanged, Caller, TeamEvents, TeamRpc } from '@widget/contracts';
import { LRUCache } from 'lru-cache';
import type { GatewayConfig } from '../config';

/** Token kinds the team service resolves; anything else is compared with the root key. */
const TEAM_TOKEN = /^(opt|wsk)_/;

/**
 * /admin/v1 Bearer → caller: the root key (ADMIN_API_KEY, constant-time), or
 * an operator token / workspace API key resolved by the team service and kept
 * at most SESSION_CACHE_TTL_MS. A logout, a role change, a removal or a key's
 * revocation is broadcast (`team.access.changed`, no queue group) before it is
 * answered, and every replica drops what it holds; on a NATS reconnect
 * everything is forgotten, since broadcasts may have been missed.
 */
@Injectable()
export class OperatorCallers {
  private readonly entries = new LRUCache<string, Exclude<Caller, { kind: 'root' }>>({ max: 20_000 });
  /** Bumped by every forget and reconnect: an answer asked for before one of them is used but not kept (it may predate the change). */
  private generation = 0;

  constructor(
    private readonly bus: NatsBus,
    @InjectConfig() private readonly config: GatewayConfig,
  ) {
    bus.onReconnect(() => {
      this.generation++;
      this.entries.clear();
    });
  }

  async resolve(token: string, requestId: string): Promise<Caller> {
    if (!TEAM_TOKEN.test(token)) {
      if (safeEqual(token, this.config.ADMIN_API_KEY)) return { kind: 'root' };
      throw Errors.invalidToken('admin_key_invalid');
    }
    const key = hashToken(token);
    const cached = this.entries.get(key);
    if (cached) return cached;
    const asked = this.generation;
    const caller = await this.bus.send(TeamRpc.authenticate, { token }, { requestId });
    const ttl = caller.kind === 'operator' ? Math.min(this.config.SESSION_CACHE_TTL_MS, Date.parse(caller.expiresAt) - Date.now()) : this.config.SESSION_CACHE_TTL_MS;
    if (ttl > 0 && asked === this.generation) this.entries.set(key, caller, { ttl });
    return caller;
  }

  /** The caller of a token this replica already resolved, without asking anyone (the edge limit's key). */
  peek(token: string): Caller | undefined {
    if (!TEAM_TOKEN.test(token)) return safeEqual(token, this.config.ADMIN_API_KEY) ? { kind: 'root' } : undefined;
    return this.entries.get(hashToken(token));
  }

  forget(change: AccessChanged): void {
    this.generation++;
    if (change.tokenHash) this.entries.delete(change.tokenHash);
    const id = change.operatorId ?? change.apiKeyId;
    if (!id) return;
    for (const [key, caller] of this.entries.entries()) if (caller.id === id) this.entries.delete(key);
  }
}

/** Broadcast subscription (no queue group): every gateway replica hears every access change. */
@Controller()
export class AccessChangeListener {
  constructor(private readonly callers: OperatorCallers) {}

  @OnEvent(TeamEvents.accessChanged)
  changed(change: AccessChanged): void {
    this.callers.forget(change);
  }
}
