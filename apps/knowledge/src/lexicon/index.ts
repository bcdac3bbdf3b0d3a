import { z } from 'zod';
import irregularVerbs from './en/irregular-verbs.json';
import otherProducts from './en/other-products.json';
import phrasalObjects from './en/phrasal-objects.json';
import questionFillers from './en/question-fillers.json';
import supportTerms from './en/support-terms.json';

/**
 * The word lists of retrieval as data, per language (lexicon/<lang>/*.json),
 * validated when the process loads them: a malformed list fails start-up, not
 * a visitor's question. English only today. What each list is and where it
 * applies: docs/knowledge.md, "Retrieval". A change to a list comes with its
 * figures on every evaluation set (npm run eval -w @widget/knowledge).
 *
 * - supportTerms: curated equivalences of software help centers ("log in" /
 *   "sign in"), applied like operator synonym groups, weighted below them.
 *   Generic: not the words of any help center's articles nor of any
 *   evaluation question.
 * - otherProducts: well-known consumer services and companies ("gmail",
 *   "netflix", banks, games; no devices, operating systems, file formats or
 *   payment services, which visitors name about this product too).
 * - questionFillers: words that carry no topic in a question ("hi", "please",
 *   "cant", chat shorthand), beyond PostgreSQL's stop words.
 * - irregularVerbs: base form → other forms (WordNet's exception lists are not
 *   in its npm package).
 * - phrasalObjects: object pronouns that may split a two-word member ("turn
 *   them off" is "turn off").
 */
const word = z.string().regex(/^[\p{L}\p{N}]+$/u, 'a lower-case word of letters and digits').refine((w) => w === w.toLowerCase(), 'lower-case');
const phrase = z.string().regex(/^[\p{L}\p{N}]+( [\p{L}\p{N}]+)*$/u, 'words separated by one space').refine((w) => w === w.toLowerCase(), 'lower-case');

export const lexiconSchema = z.object({
  supportTerms: z.array(z.array(phrase).min(2)),
  otherProducts: z.array(word),
  questionFillers: z.array(word),
  irregularVerbs: z.record(word, z.array(word).min(1)),
  phrasalObjects: z.array(word),
});

export interface Lexicon {
  supportTerms: readonly (readonly string[])[];
  otherProducts: ReadonlySet<string>;
  questionFillers: ReadonlySet<string>;
  irregularVerbs: Readonly<Record<string, readonly string[]>>;
  phrasalObjects: ReadonlySet<string>;
}

export function parseLexicon(raw: unknown, name: string): Lexicon {
  const parsed = lexiconSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`lexicon ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const l = parsed.data;
  return {
    supportTerms: l.supportTerms,
    otherProducts: new Set(l.otherProducts),
    questionFillers: new Set(l.questionFillers),
    irregularVerbs: l.irregularVerbs,
    phrasalObjects: new Set(l.phrasalObjects),
  };
}

/** English: the only language with lists today. */
export const ENGLISH: Lexicon = parseLexicon({ supportTerms, otherProducts, questionFillers, irregularVerbs, phrasalObjects }, 'en');
