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
  if (typeof value === 'string') {
    if (!isStorableText(value)) found.push(path.join('.') || '(body)');
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => unstorableTextFields(item, [...path, String(i)], found));
  } else if (isPlainObject(value)) {
    // Parsed JSON only: a streamed body (the realtime proxy's long-polling) is not walked (it is circular).
    for (const [key, item] of Object.entries(value)) {
      if (!isStorableText(key)) found.push([...path, '(key)'].join('.'));
      else unstorableTextFields(item, [...path, key], found);
    }
  }
  return found;
}
