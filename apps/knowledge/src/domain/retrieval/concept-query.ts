import type { Concept } from './expansion';

/** Concepts (expansion.ts) as to_tsquery text, for search and answer retrieval. */

/** to_tsquery text of one concept: its alternatives OR-ed, phrases with <->, the unfinished word as a prefix. */
export function conceptQuery(c: Concept): string {
  const parts = c.alternatives.map((a) => {
    const words = a.text.split(' ');
    const body = words.map((w, i) => (c.prefix && a.kind === 'exact' && i === words.length - 1 ? `${w}:*` : w)).join(' <-> ');
    return words.length > 1 && c.alternatives.length > 1 ? `(${body})` : body;
  });
  return parts.length === 1 ? parts[0] : `(${parts.join(' | ')})`;
}

/** Search box: every concept must match (by any alternative). */
export function allConceptsQuery(concepts: Concept[]): string {
  return concepts.map(conceptQuery).join(' & ');
}

/** Recall: any concept may match. `exactOnly`: the visitor's own words only. */
export function anyConceptQuery(concepts: Concept[], exactOnly = false): string {
  return concepts.map((c) => (exactOnly ? conceptQuery({ ...c, alternatives: c.alternatives.slice(0, 1) }) : conceptQuery(c))).join(' | ');
}
