import type { AnswerRecord, EscalationBehavior } from '@widget/contracts';

export const SUMMARY_QUESTION_MAX = 200;

export interface EscalationNote {
  text: string;
  metadata: Record<string, unknown>;
}

/**
 * The system message an agent gets when a visitor goes from an AI answer to a
 * person (SPEC §9 ai.escalationBehavior); null for `none`. Made only from the
 * knowledge service's record of the answer: the question as the visitor asked
 * it (labelled as the visitor's), the answer and its sources as the server gave them.
 */
export function escalationNote(behavior: EscalationBehavior, record: AnswerRecord): EscalationNote | null {
  const question = record.question.trim();
  if (behavior === 'none') return null;
  if (behavior === 'summary_only') {
    const cut = question.length > SUMMARY_QUESTION_MAX ? `${question.slice(0, SUMMARY_QUESTION_MAX - 1)}…` : question;
    return { text: `Visitor asked for a person after an AI answer to: "${cut.replace(/\s+/g, ' ')}"`, metadata: { escalation: { behavior, answerId: record.id } } };
  }
  const lines = [`Visitor asked: ${question}`];
  lines.push(record.answer ? `AI answer: ${record.answer.text}` : 'AI answer: none given');
  if (record.answer?.citations.length) lines.push(`Sources: ${record.answer.citations.map((c) => `${c.title} (${c.articleId})`).join(', ')}`);
  return {
    text: lines.join('\n'),
    metadata: { escalation: { behavior, answerId: record.id, question, answer: record.answer?.text ?? null, citations: record.answer?.citations ?? [] } },
  };
}
