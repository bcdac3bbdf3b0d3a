import { newId } from '@widget/common';
import { clientEventSchema, EVENT_FUTURE_SKEW_MS, EVENT_MAX_AGE_MS, EVENT_MAX_BYTES, eventTypeSchema, RESERVED_EVENT_PREFIX } from '@widget/contracts';
import { datetimeRegex, ZodIssue, ZodString, ZodStringCheck } from 'zod';
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

/**
 * The patterns of the contract's event schema, read from the schema itself so
 * the two cannot drift; undefined if a field holds any other check, and then
 * every event takes the schema's own path.
 */
function patternOf(schema: ZodString, kind: 'regex' | 'datetime'): RegExp | undefined {
  const checks: ZodStringCheck[] = schema._def.checks;
  if (checks.length !== 1 || checks[0].kind !== kind) return undefined;
  const check = checks[0];
  if (check.kind === 'regex') return check.regex;
  if (check.kind === 'datetime') return datetimeRegex(check);
  return undefined;
}

interface Patterns {
  id: RegExp;
  type: RegExp;
  occurredAt: RegExp;
}

function contractPatterns(): Patterns | undefined {
  const shape = clientEventSchema.shape;
  const id = patternOf(shape.id.unwrap(), 'regex');
  const type = patternOf(eventTypeSchema, 'regex');
  const occurredAt = patternOf(shape.occurredAt.unwrap(), 'datetime');
  return id && type && occurredAt ? { id, type, occurredAt } : undefined;
}

const PATTERNS = contractPatterns();
/** True when events can take the fast path (the unit test asserts it). */
export const FAST_CHECK = PATTERNS !== undefined;

/**
 * JSON text PostgreSQL's jsonb refuses: `\u0000`, or a lone surrogate (which
 * JSON.stringify writes as `\udXXX`). Left in, one such event would fail its
 * whole batch.
 */
const unstorable = (json: string) => json.includes('\\u') && /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f])/.test(json);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Plain {
  id?: string;
  type: string;
  occurredAt?: string;
  /** JSON text of the properties, or null. */
  properties: string | null;
  /** Byte length of JSON.stringify(raw). */
  bytes: number;
}

/**
 * The fast path (most of a batch): an event the schema plainly accepts,
 * checked without zod and serialized once. Anything else — a bad field, an
 * unknown key, a `__proto__` key the schema would drop — returns undefined
 * and takes the schema's path, which names the reason exactly as before.
 * The contract's patterns for id, type and occurredAt admit no character JSON
 * escapes or UTF-8 widens (ingest.spec.ts holds them to it), so the byte
 * length of the whole event follows from its parts.
 */
function plainlyValid(raw: Record<string, unknown>, patterns: Patterns): Plain | undefined {
  let id: string | undefined;
  let type: string | undefined;
  let occurredAt: string | undefined;
  let properties: string | null = null;
  // '{' and '}', and per key: its quotes, ':' and ',' (one comma fewer than keys, one brace more).
  let bytes = 1;
  for (const key in raw) {
    const value = raw[key];
    if (key === 'type') {
      if (typeof value !== 'string' || !patterns.type.test(value) || value.startsWith(RESERVED_EVENT_PREFIX)) return undefined;
      type = value;
      bytes += 8 + value.length + 2;
    } else if (key === 'id') {
      if (typeof value !== 'string' || !patterns.id.test(value)) return undefined;
      id = value;
      bytes += 6 + value.length + 2;
    } else if (key === 'occurredAt') {
      if (typeof value !== 'string' || !patterns.occurredAt.test(value)) return undefined;
      occurredAt = value;
      bytes += 14 + value.length + 2;
    } else if (key === 'properties') {
      if (!isPlainObject(value) || Object.prototype.hasOwnProperty.call(value, '__proto__')) return undefined;
      properties = JSON.stringify(value);
      bytes += 14 + Buffer.byteLength(properties, 'utf8');
    } else {
      return undefined;
    }
  }
  return type === undefined ? undefined : { id, type, occurredAt, properties, bytes };
}

/** The schema's path: the first issue zod reports is the reason. */
function bySchema(raw: Record<string, unknown>): Omit<Plain, 'bytes'> | { reason: string } {
  if (Buffer.byteLength(JSON.stringify(raw), 'utf8') > EVENT_MAX_BYTES) return { reason: 'too_large' };
  const parsed = clientEventSchema.safeParse(raw);
  if (!parsed.success) return { reason: reasonOf(parsed.error.issues[0]) };
  const event = parsed.data;
  return { id: event.id, type: event.type, occurredAt: event.occurredAt, properties: event.properties === undefined ? null : JSON.stringify(event.properties) };
}

/**
 * One event of a batch: its row (properties as JSON text), or the one reason
 * it is rejected. `fast = false` sends every event through the schema (tests
 * compare the two paths).
 */
export function checkEvent(raw: unknown, now: number, fast = FAST_CHECK): Checked {
  if (!isPlainObject(raw)) return { reason: 'not_an_object' };
  const plain = fast && PATTERNS ? plainlyValid(raw, PATTERNS) : undefined;
  if (plain && plain.bytes > EVENT_MAX_BYTES) return { reason: 'too_large' };
  const event = plain ?? bySchema(raw);
  if ('reason' in event) return event;
  let occurredAt = new Date(now);
  if (event.occurredAt !== undefined) {
    occurredAt = new Date(event.occurredAt);
    if (occurredAt.getTime() > now + EVENT_FUTURE_SKEW_MS) return { reason: 'occurred_at_in_future' };
    if (occurredAt.getTime() < now - EVENT_MAX_AGE_MS) return { reason: 'occurred_at_too_old' };
  }
  if (event.properties !== null && unstorable(event.properties)) return { reason: 'invalid_properties' };
  return { row: { eventId: event.id ?? newId('event'), type: event.type, occurredAt, properties: event.properties } };
}
