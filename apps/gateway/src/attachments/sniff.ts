import { ATTACHMENT_TYPE_NAMES } from '@widget/contracts';
import { looksLikePlainText } from './file-checks';

// file-type is an ES module, loaded through Node's require(esm) on first use: the gateway process runs
// it, Jest's module system cannot (specs that only build the app never sniff; the e2e specs cover it).
let fileType: typeof import('file-type') | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadFileType = () => (fileType ??= require('file-type') as typeof import('file-type'));
/**
 * The type of a file by its content (never its name or the client's header):
 * file-type's magic numbers, else plain text by looksLikePlainText; null when
 * neither says what it is.
 */
export async function sniffType(head: Buffer, complete: boolean): Promise<string | null> {
  const detected = await loadFileType().fileTypeFromBuffer(head);
  if (detected) return detected.mime;
  return head.length > 0 && looksLikePlainText(head, complete) ? ATTACHMENT_TYPE_NAMES.text : null;
}

