import { ENGLISH } from '../lexicon';
import { createHash } from 'node:crypto';

/** More words than this add nothing to a help-center query but cost to match. */
export const MAX_QUERY_WORDS = 24;

/**
 * The words of what a visitor typed: runs of letters and digits, lower-cased.
 * Everything else (operators, quotes, punctuation) is a separator, so the
 * words can be joined into a to_tsquery() expression without any injection.
 */
export function queryWords(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.slice(0, MAX_QUERY_WORDS);
}

export { vocabularyWords } from '../text';

/**
 * Words that carry no topic in an English help-center question ("hi, I
 * can't ... please help" minus "help"), beyond PostgreSQL's stop words. They
 * are left out of answer retrieval and scoring: an article lacking "please"
 * is not less of an answer. Kept short on purpose: a word that names what a
 * question is about never belongs here.
 */
export const QUESTION_FILLERS: ReadonlySet<string> = ENGLISH.questionFillers; // lexicon/en/question-fillers.json

/** The words of a question worth retrieving by: without fillers, unless nothing else is left. */
export function questionWords(words: string[]): string[] {
  const content = words.filter((w) => !QUESTION_FILLERS.has(w));
  return content.length > 0 ? content : words;
}

export interface SearchCursor {
  /** ts_rank as PostgreSQL printed it: a real round-trips exactly through its text form. */
  score: string;
  id: string;
  /** Ties the cursor to the query it came from. */
  fingerprint: string;
}

export function queryFingerprint(parts: Array<string | null | undefined>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

export function encodeCursor(cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify([cursor.score, cursor.id, cursor.fingerprint])).toString('base64url');
}

/** null for anything that is not a cursor this service made. */
export function decodeCursor(raw: string): SearchCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 3) return null;
    const [score, id, fingerprint] = value;
    if (typeof score !== 'string' || !/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(score)) return null;
    if (typeof id !== 'string' || !/^art_[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) return null;
    if (typeof fingerprint !== 'string') return null;
    return { score, id, fingerprint };
  } catch {
    return null;
  }
}
