import { createHash, randomBytes } from 'node:crypto';

/**
 * `reply+<token>@EMAIL_INBOUND_DOMAIN`: the token names one conversation. It is
 * 160 random bits in lowercase base32 (32 characters: a local part stays under
 * the 64 that SMTP allows, and mail systems that lower-case addresses keep it
 * intact); only its SHA-256 is stored. The same shape serves the unsubscribe
 * link's token.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
export const EMAIL_TOKEN_LENGTH = 32;

export function newEmailToken(): string {
  const bytes = randomBytes(20);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

export const hashEmailToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export const isEmailToken = (text: string): boolean => text.length === EMAIL_TOKEN_LENGTH && /^[a-z2-7]+$/.test(text);

export const replyAddress = (token: string, domain: string): string => `reply+${token}@${domain}`;

/** The token of a recipient `reply+<token>@<domain>` (the domain compared without case), or null for any other address. */
export function tokenOfRecipient(address: string, domain: string): string | null {
  const at = address.lastIndexOf('@');
  if (at < 0 || address.slice(at + 1).toLowerCase() !== domain.toLowerCase()) return null;
  const match = /^reply\+(.+)$/i.exec(address.slice(0, at));
  const token = match?.[1].toLowerCase();
  return token && isEmailToken(token) ? token : null;
}

/** An address as compared: trimmed and lower-cased (what a visitor types and what a mail client sends differ in case only). */
export const normalAddress = (address: string): string => address.trim().toLowerCase();
