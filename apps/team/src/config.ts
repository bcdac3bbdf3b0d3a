import { encryptionKeyEnv, loadConfig, serviceEnv } from '@widget/common';
import { z } from 'zod';

export const teamEnv = serviceEnv.extend({
  /** Seals the invitation tokens and key secrets an idempotent create keeps for its retries. */
  SECRET_ENCRYPTION_KEY: encryptionKeyEnv,
  /** An operator token (`opt_…`) lives this long after login (SPEC §14: default 12 h). */
  OPERATOR_TOKEN_TTL_HOURS: z.coerce.number().min(0.01).max(24 * 30).default(12),
  /** An invitation can be accepted for this long. */
  INVITE_TTL_HOURS: z.coerce.number().min(0.01).max(24 * 30).default(72),
});
export type TeamConfig = z.infer<typeof teamEnv>;

export const loadTeamConfig = () => loadConfig(teamEnv);
