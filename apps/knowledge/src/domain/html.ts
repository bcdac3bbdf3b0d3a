import sanitizeHtml from 'sanitize-html';

/**
 * What an article body may keep: text formatting, lists, tables, links and
 * images over http(s)/mailto/tel. No scripts, styles, iframes, forms, event
 * handlers or `javascript:`/`data:` URLs: sanitize-html drops every tag and
 * attribute not listed here, and every URL scheme not allowed.
 */
const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'blockquote', 'pre', 'code',
    'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'b', 'strong', 'i', 'em', 'u', 's', 'small', 'sub', 'sup', 'mark', 'kbd',
    'a', 'img', 'figure', 'figcaption', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'span', 'div',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'target', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    th: ['colspan', 'rowspan', 'scope'],
    td: ['colspan', 'rowspan'],
    ol: ['start'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // An image whose only source was a forbidden URL would be left empty.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  // A link opening a new tab must not hand the article's window to the target.
  transformTags: {
    a: (tagName, attribs) =>
      attribs.target === '_blank' ? { tagName, attribs: { ...attribs, rel: 'noopener noreferrer' } } : { tagName, attribs },
  },
};

export function sanitizeArticleHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS).trim();
}

const BLOCK_TAG = /<\/?(?:h[1-6]|p|br|hr|blockquote|pre|ul|ol|li|dl|dt|dd|figure|figcaption|table|thead|tbody|tfoot|tr|th|td|caption|div)\b[^>]*>/gi;

/**
 * Sanitized HTML → plain text, one line per block (heading, paragraph, list
 * item, cell), so sentences never run across blocks.
 */
export function htmlToText(sanitized: string): string {
  const marked = sanitized.replace(BLOCK_TAG, (tag) => `\n${tag}`);
  // With no tag allowed, sanitize-html leaves only text, escaped with &amp; &lt; &gt;.
  const escaped = sanitizeHtml(marked, { allowedTags: [], allowedAttributes: {} });
  // U+E000/U+E001 mark search matches in snippets: article text may not carry them.
  const text = escaped.replace(/[\uE000\uE001]/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  return text
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

/**
 * Any text → plain text with no markup: tags (even ones spelt with entities,
 * `&lt;img onerror&gt;`) are dropped, text kept. What `answer.text` is, like a
 * message's text.
 */
export function toPlainText(text: string): string {
  let out = text;
  for (let i = 0; i < 3; i++) {
    const next = htmlToText(out);
    if (next === out) break;
    out = next;
  }
  return out;
}

/** Plain text made safe to put inside HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
