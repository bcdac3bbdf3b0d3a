import { Injectable } from '@nestjs/common';
import { InjectConfig, NatsBus } from '@widget/common';
import { SessionRpc, WidgetAccess } from '@widget/contracts';
import { LRUCache } from 'lru-cache';
import type { GatewayConfig } from '../config';

/**
 * The widget facts the edge needs on every request (enabled, allowed origins,
 * feature switches), cached per replica and dropped when the session service
 * broadcasts `session.widget.updated`.
 */
@Injectable()
export class WidgetDirectory {
  private readonly widgets: LRUCache<string, WidgetAccess>;
  private readonly origins: LRUCache<string, boolean>;
  /** Bumped by every forget and clear: an answer asked for before one of them is used but not kept (it may predate the change). */
  private generation = 0;

  constructor(
    private readonly bus: NatsBus,
    @InjectConfig() private readonly config: GatewayConfig,
  ) {
    this.widgets = new LRUCache({ max: 10_000, ttl: Math.max(config.WIDGET_CACHE_TTL_MS, 1) });
    this.origins = new LRUCache({ max: 10_000, ttl: Math.max(config.WIDGET_CACHE_TTL_MS, 1) });
    bus.onReconnect(() => this.clear());
  }

  async get(widgetId: string, requestId?: string): Promise<WidgetAccess> {
    const cached = this.widgets.get(widgetId);
    if (cached) return cached;
    const asked = this.generation;
    const access = await this.bus.send(SessionRpc.widgetAccess, { widgetId }, { requestId });
    if (this.config.WIDGET_CACHE_TTL_MS > 0 && asked === this.generation) this.widgets.set(widgetId, access);
    return access;
  }

  /** For CORS preflight, where no widget is known yet: does any enabled widget allow it? */
  async originAllowedAnywhere(origin: string): Promise<boolean> {
    const cached = this.origins.get(origin);
    if (cached !== undefined) return cached;
    const asked = this.generation;
    const { allowed } = await this.bus.send(SessionRpc.originAllowedAnywhere, { origin });
    if (this.config.WIDGET_CACHE_TTL_MS > 0 && asked === this.generation) this.origins.set(origin, allowed);
    return allowed;
  }

  forget(widgetId: string): void {
    this.generation++;
    this.widgets.delete(widgetId);
    this.origins.clear();
  }

  clear(): void {
    this.generation++;
    this.widgets.clear();
    this.origins.clear();
  }
}
