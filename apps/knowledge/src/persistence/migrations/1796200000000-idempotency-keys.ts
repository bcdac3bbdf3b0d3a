import { idempotencyKeysMigration } from '@widget/common';

/** Operator creates' Idempotency-Key replies, kept 24 h (SPEC §9). */
export const KnowledgeIdempotencyKeys1796200000000 = idempotencyKeysMigration('knowledge', 1796200000000);
