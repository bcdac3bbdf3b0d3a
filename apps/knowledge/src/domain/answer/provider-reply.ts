/** What the chat-completions provider sees: numbered passages, and nothing else of ours. */
export interface ProviderPassage {
  articleId: string;
  title: string;
  text: string;
}

export type ProviderAnswer =
  | { kind: 'answer'; text: string; cited: number[] }
  /** The model said it does not know (no_answer), or its reply is not grounded in the passages it was given. */
  | { kind: 'declined'; reason: 'no_answer' | 'no_citation' | 'unknown_citation' }
  /** No usable reply at all (the provider failed): the built-in answer stands. */
  | { kind: 'invalid'; reason: string };

export const NO_ANSWER = 'NO_ANSWER';

export function buildMessages(question: string, passages: ProviderPassage[], locale?: string): Array<{ role: 'system' | 'user'; content: string }> {
  const system = [
    'You answer questions from a help center, using only the numbered passages the user gives you.',
    'Cite every passage you use with its number in square brackets, like [1].',
    `If the passages do not answer the question, reply exactly ${NO_ANSWER}.`,
    'Answer in at most three sentences' + (locale ? `, in the language of the locale ${locale}.` : '.'),
  ].join(' ');
  const numbered = passages.map((p, i) => `[${i + 1}] ${p.title}\n${p.text}`).join('\n\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: `Passages:\n\n${numbered}\n\nQuestion: ${question}` },
  ];
}

/**
 * The provider's message → an answer that cites at least one of the passages
 * it was given (markers stripped from the text), a decline, or invalid.
 * A reply is a decline when it says NO_ANSWER anywhere, or is not grounded in
 * the passages: it cites none of them ("I'm not sure, but probably…", or its
 * own way of not knowing) or cites one it was not given. Only a reply with no
 * usable content is invalid (then the built-in answer stands, as when the
 * provider fails): a model that answered without its sources is not trusted.
 */
export function parseProviderReply(body: unknown, passageCount: number): ProviderAnswer {
  const content = (body as { choices?: Array<{ message?: { content?: unknown } }> })?.choices?.[0]?.message?.content;
  if (typeof content !== 'string') return { kind: 'invalid', reason: 'no_content' };
  const trimmed = content.trim();
  if (trimmed.length === 0) return { kind: 'invalid', reason: 'empty' };
  if (new RegExp(`\\b${NO_ANSWER}\\b`).test(trimmed)) return { kind: 'declined', reason: 'no_answer' };
  const cited = new Set<number>();
  for (const match of trimmed.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g)) {
    for (const n of match[1].split(',').map((x) => Number(x.trim()))) {
      if (n < 1 || n > passageCount) return { kind: 'declined', reason: 'unknown_citation' };
      cited.add(n);
    }
  }
  if (cited.size === 0) return { kind: 'declined', reason: 'no_citation' };
  const text = trimmed
    .replace(/\s*\[(\d+(?:\s*,\s*\d+)*)\]/g, '')
    .replace(/\s+([.,;:!?])/g, '$1')
    .trim();
  if (text.length === 0) return { kind: 'invalid', reason: 'empty' };
  return { kind: 'answer', text: text.slice(0, 2000), cited: [...cited].sort((a, b) => a - b) };
}
