import { Module } from '@nestjs/common';
import { AdminEventsController } from './admin-events.controller';
import { EventsBodyLimit } from './events-body-limit';
import { EventsController } from './events.controller';

/** Routes served by the events service. */
@Module({ controllers: [EventsController, AdminEventsController], providers: [EventsBodyLimit] })
export class EventsGatewayModule {}
