import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { auditLogProvider, idempotencyProvider, unitOfWorkProviders } from '@widget/common';
import { AccountsService } from './domain/accounts.service';
import { ApiKeysService } from './domain/api-keys.service';
import { MembersService } from './domain/members.service';
import { NotificationsService } from './domain/notifications.service';
import { PresenceService } from './domain/presence.service';
import { TeamsService } from './domain/teams.service';
import { TeamHandler } from './handlers/team.handler';
import { ApiKeyRepository } from './persistence/api-key.repository';
import { TEAM_ENTITIES } from './persistence/entities';
import { MembershipRepository } from './persistence/membership.repository';
import { OperatorRepository } from './persistence/operator.repository';
import { PresenceRepository } from './persistence/presence.repository';
import { TeamRepository } from './persistence/team.repository';

@Module({
  imports: [TypeOrmModule.forFeature(TEAM_ENTITIES)],
  controllers: [TeamHandler],
  providers: [
    idempotencyProvider('team'),
    auditLogProvider('team'),
    ...unitOfWorkProviders(),
    AccountsService,
    MembersService,
    ApiKeysService,
    TeamsService,
    PresenceService,
    NotificationsService,
    OperatorRepository,
    MembershipRepository,
    ApiKeyRepository,
    TeamRepository,
    PresenceRepository,
  ],
})
export class TeamModule {}
