import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { erasureLedgerProvider } from '@widget/common';
import { EventsService } from './domain/events.service';
import { LifecycleConsumer } from './domain/lifecycle-consumer';
import { LifecycleService } from './domain/lifecycle.service';
import { PartitionMaintenance } from './domain/partition-maintenance';
import { EventsPrivacyService } from './domain/privacy.service';
import { RetentionSweeper } from './domain/retention-sweeper';
import { EventsHandler } from './handlers/events.handler';
import { LifecycleHandlers } from './handlers/lifecycle.handlers';
import { PrivacyHandler } from './handlers/privacy.handler';
import { EventsRepository } from './persistence/events.repository';
import { EventsPrivacyRepository } from './persistence/privacy.repository';

@Module({
  imports: [DiscoveryModule],
  controllers: [EventsHandler, PrivacyHandler],
  providers: [
    EventsService,
    LifecycleService,
    LifecycleHandlers,
    LifecycleConsumer,
    PartitionMaintenance,
    EventsRepository,
    erasureLedgerProvider('events'),
    EventsPrivacyService,
    EventsPrivacyRepository,
    RetentionSweeper,
  ],
})
export class EventsModule {}
