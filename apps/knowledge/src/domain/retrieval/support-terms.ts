import { ENGLISH } from '../../lexicon';

/**
 * A small, curated list of equivalences common in software help centers,
 * applied like operator synonym groups (both directions, words or phrases)
 * but weighted below them: ways visitors name what help articles call
 * otherwise ("log in" / "sign in", "2fa" / "two factor", "coworker" /
 * "teammate"). English only. Deliberately short and generic: not the words
 * of any help center's articles nor of any evaluation question; a workspace
 * adds its own with operator synonyms. The list: lexicon/en/support-terms.json.
 */
export const SUPPORT_TERMS: readonly (readonly string[])[] = ENGLISH.supportTerms;
