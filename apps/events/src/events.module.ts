import { Module } from '@nestjs/common';
import { erasureLedgerProvider } from '@widget/common';
import { EventsService } from './domain/events.service';
import { LifecycleBuffer } from './domain/lifecycle-buffer';
import { LifecycleService } from './domain/lifecycle.service';
import { PartitionMaintenance } from './domain/partition-maintenance';
import { EventsPrivacyService } from './domain/privacy.service';
import { RetentionSweeper } from './domain/retention-sweeper';
import { EventsHandler } from './handlers/events.handler';
import { LifecycleListener } from './handlers/lifecycle.listener';
import { PrivacyHandler } from './handlers/privacy.handler';
import { EventsRepository } from './persistence/events.repository';
import { EventsPrivacyRepository } from './persistence/privacy.repository';

@Module({
  controllers: [EventsHandler, LifecycleListener, PrivacyHandler],
  providers: [
    EventsService,
    LifecycleService,
    LifecycleBuffer,
    PartitionMaintenance,
    EventsRepository,
    erasureLedgerProvider('events'),
    EventsPrivacyService,
    EventsPrivacyRepository,
    RetentionSweeper,
  ],
})
export class EventsModule {}
