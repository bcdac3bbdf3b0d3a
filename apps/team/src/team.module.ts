import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { auditLogProvider, idempotencyProvider } from '@widget/common';
import { AccountsService } from './domain/accounts.service';
import { ApiKeysService } from './domain/api-keys.service';
import { MembersService } from './domain/members.service';
import { NotificationsService } from './domain/notifications.service';
import { PresenceService } from './domain/presence.service';
import { TeamsService } from './domain/teams.service';
import { TeamHandler } from './handlers/team.handler';
import { TEAM_ENTITIES } from './persistence/entities';

@Module({
  imports: [TypeOrmModule.forFeature(TEAM_ENTITIES)],
  controllers: [TeamHandler],
  providers: [idempotencyProvider('team'), auditLogProvider('team'), AccountsService, MembersService, ApiKeysService, TeamsService, PresenceService, NotificationsService],
})
export class TeamModule {}
