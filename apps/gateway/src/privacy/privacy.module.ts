import { Module } from '@nestjs/common';
import { PrivacyController } from './privacy.controller';

/** SPEC §17 at the edge: erasures, exports (retention settings are on the workspace, admin/workspaces.controller.ts). */
@Module({ controllers: [PrivacyController] })
export class PrivacyGatewayModule {}
