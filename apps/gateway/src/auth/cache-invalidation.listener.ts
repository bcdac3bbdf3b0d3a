import { Controller } from '@nestjs/common';
import { OnEvent } from '@widget/common';
import { EventPayload, SessionEvents } from '@widget/contracts';
import { SessionCache } from './session-cache';
import { WidgetDirectory } from './widget-directory';

/** Broadcast subscriptions (no queue group): every gateway replica hears every revocation. */
@Controller()
export class CacheInvalidationListener {
  constructor(
    private readonly sessions: SessionCache,
    private readonly widgets: WidgetDirectory,
  ) {}

  @OnEvent(SessionEvents.revoked)
  revoked(event: EventPayload<typeof SessionEvents.revoked>): void {
    this.sessions.forget(event.tokenHash);
  }

  @OnEvent(SessionEvents.widgetUpdated)
  widgetUpdated(event: EventPayload<typeof SessionEvents.widgetUpdated>): void {
    this.widgets.forget(event.widgetId);
  }
}
