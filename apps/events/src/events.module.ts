import { Module } from '@nestjs/common';
import { EventsService } from './domain/events.service';
import { LifecycleBuffer } from './domain/lifecycle-buffer';
import { LifecycleService } from './domain/lifecycle.service';
import { PartitionMaintenance } from './domain/partition-maintenance';
import { EventsHandler } from './handlers/events.handler';
import { LifecycleListener } from './handlers/lifecycle.listener';
import { EventsRepository } from './persistence/events.repository';

@Module({
  controllers: [EventsHandler, LifecycleListener],
  providers: [EventsService, LifecycleService, LifecycleBuffer, PartitionMaintenance, EventsRepository],
})
export class EventsModule {}
