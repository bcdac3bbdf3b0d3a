/**
 * Leaf helpers shared by the domain and persistence layers (nothing here
 * imports from either): persistence must not depend on the domain.
 */

/**
 * The words of an article for the vocabulary (typo correction): queryWords()
 * form, distinct, 2 to 40 characters, with a letter. The migration that
 * created the vocabulary extracts them the same way in SQL.
 */
export function vocabularyWords(text: string): string[] {
  const words = new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  return [...words].filter((w) => w.length >= 2 && w.length <= 40 && /\p{L}/u.test(w)).sort();
}

/** Cosine similarity; 0 for vectors of different lengths or zero norm. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Σ x², summed as cosine() sums it. */
export function squaredNorm(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += a[i] * a[i];
  return n;
}
