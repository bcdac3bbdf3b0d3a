import { Module } from '@nestjs/common';
import { WidgetsController } from '../admin/widgets.controller';
import { WorkspacesController } from '../admin/workspaces.controller';
import { CacheInvalidationListener } from '../auth/cache-invalidation.listener';
import { FrameController } from '../static/frame.controller';
import { ConfigController } from './config.controller';
import { SessionsController } from './sessions.controller';

/** Routes served by the session service: config, sessions, workspaces and widgets. */
@Module({
  controllers: [ConfigController, FrameController, SessionsController, WorkspacesController, WidgetsController, CacheInvalidationListener],
})
export class SessionsGatewayModule {}
