import { auditLogMigration, erasureLedgerMigration } from '@widget/common';
import { CreateSessionSchema1732500000000 } from './1732500000000-create-session-schema';
import { UpstreamWidgetConfig1733000000000 } from './1733000000000-upstream-widget-config';
import { CreateOperatorRealtimeTokens1733100000000 } from './1733100000000-create-operator-realtime-tokens';
import { SessionIdempotencyKeys1733200000000 } from './1733200000000-idempotency-keys';
import { OperatorTokenPrincipal1796600000000 } from './1796600000000-operator-token-principal';
import { SessionPrivacy1796800000000 } from './1796800000000-privacy';
import { DropStoredRealtimeTokens1797000000000 } from './1797000000000-drop-stored-realtime-tokens';

/** In order; each is reviewed code, explicit and reversible. */
export const SESSION_MIGRATIONS = [
  CreateSessionSchema1732500000000,
  UpstreamWidgetConfig1733000000000,
  CreateOperatorRealtimeTokens1733100000000,
  SessionIdempotencyKeys1733200000000,
  OperatorTokenPrincipal1796600000000,
  auditLogMigration('session', 1796600000100),
  SessionPrivacy1796800000000,
  erasureLedgerMigration('session', 1796800000001),
  DropStoredRealtimeTokens1797000000000,
];
