import { z } from 'zod';

/** Id prefixes of SPEC §2. */
export const ID_PREFIX = {
  workspace: 'ws',
  widget: 'wgt',
  session: 'ses',
  user: 'usr',
  conversation: 'conv',
  message: 'msg',
  article: 'art',
  collection: 'col',
  form: 'frm',
  submission: 'sub',
  event: 'evt',
  request: 'req',
  /** An AI answer as given to one session (SPEC §6; what an escalation refers to). */
  answer: 'ans',
  attachment: 'att',
  /** SPEC §14: an operator account, a workspace API key, a team, an audit entry. */
  operator: 'op',
  apiKey: 'key',
  team: 'team',
  audit: 'aud',
  /** SPEC §17: one person's erasure. */
  erasure: 'era',
  /** SPEC §16: a webhook endpoint and one event's delivery to it (its `webhook-id`). */
  webhook: 'wh',
  delivery: 'whd',
  /** SPEC §15: one queued mail (issue 22). */
  mail: 'mail',
  /** Issue 21: a workspace's canned reply. */
  cannedReply: 'cnr',
} as const;
export type IdKind = keyof typeof ID_PREFIX;

/** A prefixed id: the prefix, an underscore, then a 26-character ULID. */
export const idOf = (kind: IdKind) =>
  z.string().regex(new RegExp(`^${ID_PREFIX[kind]}_[0-9A-HJKMNP-TV-Z]{26}$`), `must be a ${ID_PREFIX[kind]}_ id`);

/** Cursors are opaque tokens the server minted (base64url or ids): anything else is refused at the edge. */
export const cursorParam = (max = 200) =>
  z.string().min(1).max(max).regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor');

export const pageQuery = z.object({
  cursor: cursorParam().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type PageQuery = z.infer<typeof pageQuery>;

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** What the gateway knows of the caller once the session token checked out. */
export interface SessionContext {
  sessionId: string;
  workspaceId: string;
  widgetId: string;
  identityType: 'anonymous' | 'identified';
  /**
   * The end user whose conversations the session shares: null when anonymous.
   * An unverified user (identify without a JWT) is its own row, claimed by
   * this browser alone, so it never shares another claimant's history.
   */
  userId: string | null;
  expiresAt: string;
}

/** An operator create's `Idempotency-Key` (SPEC §9) as the gateway hands it to the owning service. */
export interface IdempotencyRequest {
  key: string;
  /** sha256 of method, route, path parameters and body: the same key with another request is 409. */
  requestHash: string;
}

/** Carried by every operator create request. */
export interface Idempotent {
  idempotency?: IdempotencyRequest;
}

/** JSON of at most `maxBytes` bytes once serialized. */
export const boundedJson = (maxBytes: number) =>
  z.record(z.unknown()).refine((v) => Buffer.byteLength(JSON.stringify(v), 'utf8') <= maxBytes, {
    message: `must be at most ${maxBytes} bytes of JSON`,
  });

/**
 * Text PostgreSQL cannot store (NUL in text or jsonb) or that is not Unicode
 * (an unpaired UTF-16 surrogate, which JSON's `\ud800` escapes can produce).
 */
const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const UNSTORABLE_TEXT_REASON = 'must not contain NUL or unpaired surrogate characters';

export const isStorableText = (text: string): boolean => !UNSTORABLE_TEXT.test(text);

/** The dotted paths of every string, object key included, in a parsed body or query that cannot be stored. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function unstorableTextFields(value: unknown, path: string[] = [], found: string[] = []): string[] {
  // Iterative, with each step linked to its parent (the path is spelled only for a finding), so a deep
  // body costs neither the stack nor quadratic copying; bodies deeper than JSON_MAX_DEPTH are refused first.
  interface Step {
    value: unknown;
    key: string | null;
    parent: Step | null;
    badKey?: true;
  }
  const pathOf = (step: Step): string => {
    const keys: string[] = [];
    for (let at: Step | null = step; at; at = at.parent) if (at.key !== null) keys.push(at.key);
    return [...path, ...keys.reverse()].join('.');
  };
  const pending: Step[] = [{ value, key: null, parent: null }];
  while (pending.length > 0) {
    const step = pending.pop()!;
    if (step.badKey) found.push(pathOf(step));
    else if (typeof step.value === 'string') {
      if (!isStorableText(step.value)) found.push(pathOf(step) || '(body)');
    } else if (Array.isArray(step.value)) {
      for (let i = step.value.length - 1; i >= 0; i--) pending.push({ value: step.value[i], key: String(i), parent: step });
    } else if (isPlainObject(step.value)) {
      // Parsed JSON only: a streamed body (the realtime proxy's long-polling) is not walked (it is circular).
      // Children pushed last-first, so fields are reported in document order.
      for (const [key, item] of Object.entries(step.value).reverse()) {
        if (!isStorableText(key)) pending.push({ value: undefined, key: '(key)', parent: step, badKey: true });
        else pending.push({ value: item, key, parent: step });
      }
    }
  }
  return found;
}

/**
 * How deeply a JSON body may nest (docs/limits.md): no contract needs more than a few levels, and
 * every later walk of a body (validation, size checks, storage) may then recurse safely.
 */
export const JSON_MAX_DEPTH = 32;
export const JSON_TOO_DEEP_REASON = `must not nest deeper than ${JSON_MAX_DEPTH} levels`;

/** Whether a parsed JSON value nests deeper than `limit` arrays/objects; walked iteratively, stops at the first too deep. */
export function jsonDepthExceeds(value: unknown, limit = JSON_MAX_DEPTH): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: item, depth } = pending.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (child !== null && typeof child === 'object') pending.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}
