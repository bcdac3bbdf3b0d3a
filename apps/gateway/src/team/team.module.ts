import { Module } from '@nestjs/common';
import { AccessChangeListener } from '../auth/operator-callers';
import { SsoController } from '../sso/sso.controller';
import { AuditTrail } from './audit-trail';
import { AuthController, MeController } from './auth.controller';
import { WorkspaceTeamController } from './workspace-team.controller';

/** SPEC §14 at the edge: sign-in (password and single sign-on), members, keys, teams and the audit log; the access changes every replica hears. */
@Module({
  controllers: [AuthController, SsoController, MeController, WorkspaceTeamController, AccessChangeListener],
  providers: [AuditTrail],
})
export class TeamGatewayModule {}
