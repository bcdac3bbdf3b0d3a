import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Attachment, StoredAttachment, WIDGET_ATTACHMENTS_PATH } from '@widget/contracts';

/**
 * Short-lived signed links to attachments (SPEC §13): HMAC-SHA256 over the id
 * and the expiry, keyed by a key derived from SECRET_ENCRYPTION_KEY, so every
 * replica signs and checks alike and no new secret has to be distributed.
 * A link is only half the check: the reader must also be the owner or an operator.
 */
export class AttachmentLinks {
  private readonly key: Buffer;

  constructor(
    encryptionKeyBase64: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', Buffer.from(encryptionKeyBase64, 'base64'), Buffer.alloc(0), 'widget attachment links v1', 32));
  }

  private signature(attachmentId: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${attachmentId}.${expires}`).digest('base64url');
  }

  /** The relative url a message carries: `/widget/v1/attachments/<id>?expires=<unix s>&sig=<hmac>`. */
  url(attachmentId: string, now: Date): string {
    const expires = Math.floor(now.getTime() / 1000) + this.ttlSeconds;
    return `${WIDGET_ATTACHMENTS_PATH}/${attachmentId}?expires=${expires}&sig=${this.signature(attachmentId, expires)}`;
  }

  /** 'ok', 'expired' (a genuine link past its time) or 'invalid' (not signed by us). */
  check(attachmentId: string, expires: number, sig: string, now: Date): 'ok' | 'expired' | 'invalid' {
    const expected = Buffer.from(this.signature(attachmentId, expires));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return expires * 1000 < now.getTime() ? 'expired' : 'ok';
  }
}

/**
 * The process's links, set once at start-up: message views are built by plain
 * functions in many places (views.ts), and a link is part of the view.
 */
let current: AttachmentLinks | null = null;

export function useAttachmentLinks(links: AttachmentLinks): void {
  current = links;
}

export function attachmentLinks(): AttachmentLinks {
  if (!current) throw new Error('attachment links used before start-up configured them');
  return current;
}

/** An attachment as the API shows it: the stored fields and a link signed now. */
export function withUrl(stored: StoredAttachment, now: Date): Attachment {
  return { ...stored, url: attachmentLinks().url(stored.id, now) };
}
