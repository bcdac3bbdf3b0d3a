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

export const pageQuery = z.object({
  cursor: z.string().min(1).max(200).optional(),
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
