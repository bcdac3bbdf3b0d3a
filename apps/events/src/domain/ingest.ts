import { newId } from '@widget/common';
import { clientEventSchema, EVENT_FUTURE_SKEW_MS, EVENT_MAX_AGE_MS, EVENT_MAX_BYTES } from '@widget/contracts';
import type { ZodIssue } from 'zod';
import type { EventRow } from '../persistence/events.repository';

export type Checked = { row: EventRow } | { reason: string };

const FIELD_REASON: Record<string, string> = {
  id: 'invalid_id',
  type: 'invalid_type',
  occurredAt: 'invalid_occurred_at',
  properties: 'invalid_properties',
};

function reasonOf(issue: ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return 'unknown_keys';
  const field = String(issue.path[0] ?? '');
  if (field === 'type' && issue.message === 'reserved_type') return 'reserved_type';
  if (field === 'type' && issue.code === 'invalid_type' && issue.received === 'undefined') return 'type_required';
  return FIELD_REASON[field] ?? 'invalid_event';
}

/** One event of a batch: its row, or the one reason it is rejected. */
export function checkEvent(raw: unknown, now: number): Checked {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { reason: 'not_an_object' };
  if (Buffer.byteLength(JSON.stringify(raw), 'utf8') > EVENT_MAX_BYTES) return { reason: 'too_large' };
  const parsed = clientEventSchema.safeParse(raw);
  if (!parsed.success) return { reason: reasonOf(parsed.error.issues[0]) };
  const event = parsed.data;
  let occurredAt = new Date(now);
  if (event.occurredAt !== undefined) {
    occurredAt = new Date(event.occurredAt);
    if (occurredAt.getTime() > now + EVENT_FUTURE_SKEW_MS) return { reason: 'occurred_at_in_future' };
    if (occurredAt.getTime() < now - EVENT_MAX_AGE_MS) return { reason: 'occurred_at_too_old' };
  }
  return { row: { eventId: event.id ?? newId('event'), type: event.type, occurredAt, properties: event.properties ?? null } };
}
