import { Injectable } from '@nestjs/common';
import { InjectConfig, NatsBus } from '@widget/common';
import { SessionRpc, WidgetAccess } from '@widget/contracts';
import type { RealtimeConfig } from '../config';

const MAX_ENTRIES = 10_000;

/**
 * Allow-lists and switches of the widgets whose visitors connect here, cached
 * per replica (every reconnect storm would otherwise hit the session service
 * once per socket) and dropped on `session.widget.updated`.
 */
@Injectable()
export class WidgetDirectory {
  private readonly entries = new Map<string, { access: WidgetAccess; until: number }>();

  constructor(
    private readonly bus: NatsBus,
    @InjectConfig() private readonly config: RealtimeConfig,
  ) {
    bus.onReconnect(() => this.entries.clear());
  }

  async get(widgetId: string): Promise<WidgetAccess> {
    const hit = this.entries.get(widgetId);
    if (hit && hit.until > Date.now()) return hit.access;
    const access = await this.bus.send(SessionRpc.widgetAccess, { widgetId });
    if (this.config.WIDGET_CACHE_TTL_MS > 0) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(widgetId, { access, until: Date.now() + this.config.WIDGET_CACHE_TTL_MS });
    }
    return access;
  }

  forget(widgetId: string): void {
    this.entries.delete(widgetId);
  }
}
