/** A sentence of an article's plain text, with the block (line) it came from. */
export interface Sentence {
  text: string;
  block: number;
}

const MAX_SENTENCE = 600;

/**
 * Plain text (one block per line) → sentences. A sentence ends at . ! ? or …
 * followed by a space and a capital, a digit or an opening quote; a heading
 * or list item without a full stop is a sentence of its own.
 */
export function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  text.split('\n').forEach((line, block) => {
    const parts = line.split(/(?<=\p{L}{2}[.!?…]["”’)]?)\s+(?=[\p{Lu}\p{N}"“'‘(¿¡])/u);
    for (const part of parts) {
      const sentence = part.trim();
      if (sentence.length === 0) continue;
      // An over-long run (a table row, a missing full stop) is cut at word boundaries.
      for (let i = 0; i < sentence.length; i += MAX_SENTENCE) {
        out.push({ text: sentence.slice(i, i + MAX_SENTENCE).trim(), block });
      }
    }
  });
  return out.filter((s) => s.text.length > 0);
}
