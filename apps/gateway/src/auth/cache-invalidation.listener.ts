import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
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

  @EventPattern(SessionEvents.revoked.subject)
  revoked(@Payload() event: EventPayload<typeof SessionEvents.revoked>): void {
    this.sessions.forget(event.tokenHash);
  }

  @EventPattern(SessionEvents.widgetUpdated.subject)
  widgetUpdated(@Payload() event: EventPayload<typeof SessionEvents.widgetUpdated>): void {
    this.widgets.forget(event.widgetId);
  }
}
