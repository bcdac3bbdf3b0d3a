import { newId } from '@widget/common';
import { clientEventSchema, EVENT_FUTURE_SKEW_MS, EVENT_MAX_AGE_MS, EVENT_MAX_BYTES } from '@widget/contracts';
import type * as z4 from 'zod/v4';
import type { EventRow } from '../persistence/events.repository';

export type Checked = { row: EventRow } | { reason: string };

const FIELD_REASON: Record<string, string> = {
  id: 'invalid_id',
  type: 'invalid_type',
  occurredAt: 'invalid_occurred_at',
  properties: 'invalid_properties',
};

function reasonOf(issue: z4.core.$ZodIssue, raw: Record<string, unknown>): string {
  if (issue.code === 'unrecognized_keys') return 'unknown_keys';
  const field = String(issue.path[0] ?? '');
  if (field === 'type' && issue.message === 'reserved_type') return 'reserved_type';
  if (field === 'type' && raw.type === undefined) return 'type_required';
  return FIELD_REASON[field] ?? 'invalid_event';
}

/**
 * JSON text PostgreSQL's jsonb refuses: `\u0000`, or a lone surrogate (which
 * JSON.stringify writes as `\udXXX`). Left in, one such event would fail its
 * whole batch.
 */
const unstorable = (json: string) => json.includes('\\u') && /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f])/.test(json);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * One event of a batch: its row (properties as JSON text), or the one reason
 * it is rejected (the first issue the contract's schema reports).
 */
export function checkEvent(raw: unknown, now: number): Checked {
  if (!isPlainObject(raw)) return { reason: 'not_an_object' };
  if (Buffer.byteLength(JSON.stringify(raw), 'utf8') > EVENT_MAX_BYTES) return { reason: 'too_large' };
  const parsed = clientEventSchema.safeParse(raw);
  if (!parsed.success) return { reason: reasonOf(parsed.error.issues[0], raw) };
  const event = parsed.data;
  let occurredAt = new Date(now);
  if (event.occurredAt !== undefined) {
    occurredAt = new Date(event.occurredAt);
    if (occurredAt.getTime() > now + EVENT_FUTURE_SKEW_MS) return { reason: 'occurred_at_in_future' };
    if (occurredAt.getTime() < now - EVENT_MAX_AGE_MS) return { reason: 'occurred_at_too_old' };
  }
  const properties = event.properties === undefined ? null : JSON.stringify(event.properties);
  if (properties !== null && unstorable(properties)) return { reason: 'invalid_properties' };
  return { row: { eventId: event.id ?? newId('event'), type: event.type, occurredAt, properties } };
}
