import { idempotencyKeysMigration } from '@widget/common';

/** Operator creates' Idempotency-Key replies, kept 24 h (SPEC §9). */
export const FormsIdempotencyKeys1733200000000 = idempotencyKeysMigration('forms', 1733200000000);
