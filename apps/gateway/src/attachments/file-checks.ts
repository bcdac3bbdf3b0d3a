import { ATTACHMENT_TYPE_NAMES, AttachmentTypeName } from '@widget/contracts';

/** What content sniffing needs of a file's start (file-type reads at most this much). */
export const SNIFF_BYTES = 4100;

/** `ATTACHMENT_TYPES=png,jpeg,pdf` → the allowed MIME types; unknown names are a config error. */
export function parseAttachmentTypes(value: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = names.filter((n) => !(n in ATTACHMENT_TYPE_NAMES));
  if (unknown.length > 0 || names.length === 0) throw new Error(`unknown type ${unknown.join(', ') || '(none)'}; use ${Object.keys(ATTACHMENT_TYPE_NAMES).join(', ')}`);
  return [...new Set(names.map((n) => ATTACHMENT_TYPE_NAMES[n as AttachmentTypeName]))];
}

/** Control characters that never appear in plain text (tab, line feed, form feed and carriage return do). */
const BINARY_CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/;

/**
 * Plain text as the first bytes show it: valid UTF-8 (a character cut at the
 * sample's end is fine), no binary control characters, and not markup: a
 * first visible character `<` is HTML, SVG or XML, never accepted as text.
 */
export function looksLikePlainText(head: Buffer, complete: boolean): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !complete });
  } catch {
    return false;
  }
  if (BINARY_CONTROL.test(text)) return false;
  return !/^[\s\ufeff]*</.test(text);
}

/** Markup a browser would act on: an image that carries it (a polyglot) is only ever served as a download. */
// Only tokens of four or more characters: shorter ones turn up by chance in the bytes of ordinary photos.
const MARKUP = /<\s*(script|html|body|svg|iframe|object|embed|meta)|<\?xml|javascript:/i;
const OVERLAP = 32;

/** Scans a stream's chunks for MARKUP, across chunk boundaries. */
export class MarkupScanner {
  private tail = '';
  found = false;

  push(chunk: Buffer): void {
    if (this.found) return;
    const text = this.tail + chunk.toString('latin1');
    if (MARKUP.test(text)) this.found = true;
    this.tail = text.slice(-OVERLAP);
  }
}
