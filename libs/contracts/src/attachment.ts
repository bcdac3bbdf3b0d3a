import { z } from 'zod';
import { idOf, SessionContext } from './common';

// ---- Limits and shapes (SPEC §13, docs/api.md "Attachments") ----
/** Bytes are stored and moved (NATS, rows, objects) in chunks of this size; well under NATS's 1 MB payload once base64. */
export const ATTACHMENT_CHUNK_BYTES = 512 * 1024;
export const ATTACHMENTS_PER_MESSAGE_MAX = 10;
/** A stored file name, after sanitizing (no path, no control or bidi characters). */
export const ATTACHMENT_NAME_MAX = 200;
/** An attachment not sent in a message within this long is deleted with its bytes. */
export const ATTACHMENT_UNSENT_TTL_MS = 60 * 60 * 1000;

/** The types ATTACHMENT_TYPES may name (by sniffed content), and their short names. */
export const ATTACHMENT_TYPE_NAMES = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  text: 'text/plain',
} as const;
export type AttachmentTypeName = keyof typeof ATTACHMENT_TYPE_NAMES;
/** Shown inline (an image element) when the bytes carry no markup; everything else is a download. */
export const INLINE_ATTACHMENT_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

/** An attachment as messages and uploads show it; `url` is a short-lived signed link (ATTACHMENT_URL_TTL). */
export interface Attachment {
  id: string;
  name: string;
  contentType: string;
  size: number;
  url: string;
}

/** What a message row keeps of each attachment; the url is signed when the message is read. */
export type StoredAttachment = Omit<Attachment, 'url'>;

/** Who uploads or reads: a visitor's session, or an operator (of one workspace when reading). */
export type AttachmentActor = { session: SessionContext } | { operator: { workspaceId?: string } };

/** What the gateway needs to serve the bytes once the link and the reader checked out. */
export interface AttachmentContent {
  id: string;
  name: string;
  contentType: string;
  size: number;
  /** The bytes carry no markup and the type is an image: Content-Disposition inline. */
  inline: boolean;
  chunks: number;
}

// ---- HTTP (validated at the gateway) ----
/** Where a signed link points (visitors); operators read `/admin/v1/workspaces/{ws}/attachments/{id}` with the same query. */
export const WIDGET_ATTACHMENTS_PATH = '/widget/v1/attachments';
export const attachmentIds = z.array(idOf('attachment')).min(1).max(ATTACHMENTS_PER_MESSAGE_MAX);
/** The signed link's query: unix seconds and an HMAC (base64url). */
export const attachmentLinkQuery = z
  .object({
    expires: z.coerce.number().int().min(0).max(4_102_444_800),
    sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not a link signature'),
  })
  .strict();
export type AttachmentLinkQuery = z.infer<typeof attachmentLinkQuery>;

/** Why a referenced attachment cannot be sent (sent already, another conversation's or uploader's, unknown, expired). */
export const ATTACHMENT_UNAVAILABLE_REASON = 'attachment_unavailable';

/** Control, bidi-override, zero-width and BOM characters: never part of a stored name. */
const UNSAFE_NAME_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

/**
 * A file name as stored and shown (SPEC §13): the last path segment only, no
 * control, bidi or zero-width characters, no leading dots, at most
 * ATTACHMENT_NAME_MAX characters (the extension kept), never empty.
 */
export function sanitizeAttachmentName(raw: string, fallback = 'file'): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const clean = base.normalize('NFC').replace(UNSAFE_NAME_CHARACTERS, '').replace(/\s+/g, ' ').trim().replace(/^[.\s]+/, '');
  const chars = Array.from(clean);
  if (chars.length <= ATTACHMENT_NAME_MAX) return clean || fallback;
  const dot = clean.lastIndexOf('.');
  const ext = dot > 0 && clean.length - dot <= 10 ? clean.slice(dot) : '';
  return `${Array.from(clean.slice(0, clean.length - ext.length)).slice(0, ATTACHMENT_NAME_MAX - Array.from(ext).length).join('').trimEnd()}${ext}`;
}
