/**
 * The new text of an emailed reply: what the visitor wrote above the quoted
 * history and the signature. No maintained npm library fits (the one kept up,
 * crisp-oss/email-reply-parser, is an ES module for Node 22 only, where this
 * repository runs CommonJS on Node 20.19), so these are our rules, each with
 * samples of the common clients in reply-text.spec.ts (docs/email.md):
 *
 * 1. Everything from the first line that opens the quoted history on is cut:
 *    an attribution line ("On … wrote:", also wrapped over two or three lines
 *    as Gmail does, and its French, German, Spanish, Dutch, Italian and
 *    Portuguese forms), Outlook's header block ("From:" followed within five
 *    lines by "Sent:" or "Date:"), Outlook's rule of underscores,
 *    "-----Original Message-----", "Begin forwarded message:".
 * 2. Quoted lines (starting with ">") are dropped wherever they are.
 * 3. A signature is cut: from the "-- " delimiter (RFC 3676), or from a
 *    mobile client's "Sent from my iPhone"-style line to the end.
 * 4. Trailing spaces and blank lines at both ends go; what is left may be empty
 *    (the reply is then refused: there is nothing to post).
 */

const ATTRIBUTION = [
  /^on\b.*\bwrote:?$/i,
  /^le\b.*\ba écrit\s?:$/i,
  /^am\b.*\bschrieb\b.*:$/i,
  /^el\b.*\bescribió:$/i,
  /^op\b.*\bschreef\b.*:$/i,
  /^il\b.*\bha scritto:$/i,
  /^em\b.*\bescreveu:$/i,
];
const SEPARATORS = [/^_{10,}$/, /^-{2,}\s*original message\s*-{2,}$/i, /^-{2,}\s*message d'origine\s*-{2,}$/i, /^begin forwarded message:$/i, /^-{5,}\s*forwarded message\s*-{5,}$/i];
const MOBILE_SIGNATURES = [/^sent from my \w+/i, /^sent from (outlook|mail|yahoo mail)\b/i, /^get outlook for \w+/i, /^envoyé de mon \w+/i, /^von meinem \w+ gesendet/i, /^enviado desde mi \w+/i];
const HEADER_FROM = /^\*?from:\*?\s/i;
const HEADER_NEXT = /^\*?(sent|date|to|subject):\*?\s/i;

/** Where the quoted history starts (a line index), or the number of lines when it does not. */
function historyStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (SEPARATORS.some((re) => re.test(line))) return i;
    // An attribution, maybe wrapped: this line and up to two more read as one.
    for (let span = 1; span <= 3 && i + span <= lines.length; span++) {
      const joined = lines.slice(i, i + span).map((l) => l.trim()).join(' ');
      if (ATTRIBUTION.some((re) => re.test(joined))) return i;
    }
    if (HEADER_FROM.test(line) && lines.slice(i + 1, i + 6).some((l) => HEADER_NEXT.test(l.trim()))) return i;
  }
  return lines.length;
}

function signatureStart(lines: string[]): number {
  const index = lines.findIndex((l) => l === '-- ' || l.trim() === '--' || MOBILE_SIGNATURES.some((re) => re.test(l.trim())));
  return index < 0 ? lines.length : index;
}

/** The new text of a reply, by the rules above. */
export function replyText(body: string): string {
  let lines = body.replace(/\r\n?/g, '\n').split('\n');
  lines = lines.slice(0, historyStart(lines));
  lines = lines.filter((l) => !/^\s*>/.test(l));
  lines = lines.slice(0, signatureStart(lines));
  return lines
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}
