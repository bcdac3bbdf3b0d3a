import { auditLogMigration, idempotencyKeysMigration } from '@widget/common';
import { CreateTeamSchema1796600000000 } from './1796600000000-create-team-schema';
import { Presence1796700000000 } from './1796700000000-presence';
import { MemberNotifications1797200000000 } from './1797200000000-member-notifications';

/** In order; each is reviewed code, explicit and reversible. */
export const TEAM_MIGRATIONS = [CreateTeamSchema1796600000000, idempotencyKeysMigration('team', 1796600000001), auditLogMigration('team', 1796600000002), Presence1796700000000, MemberNotifications1797200000000];
