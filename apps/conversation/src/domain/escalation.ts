import type { EscalateBody, EscalationBehavior } from '@widget/contracts';

export const SUMMARY_QUESTION_MAX = 200;

export interface EscalationNote {
  text: string;
  metadata: Record<string, unknown>;
}

/**
 * The system message an agent gets when a visitor goes from an AI answer to a
 * person (SPEC §9 ai.escalationBehavior); null for `none`.
 */
export function escalationNote(behavior: EscalationBehavior, body: EscalateBody): EscalationNote | null {
  const question = body.question.trim();
  if (behavior === 'none') return null;
  if (behavior === 'summary_only') {
    const cut = question.length > SUMMARY_QUESTION_MAX ? `${question.slice(0, SUMMARY_QUESTION_MAX - 1)}…` : question;
    return { text: `Visitor asked for a person after an AI answer to: "${cut.replace(/\s+/g, ' ')}"`, metadata: { escalation: { behavior } } };
  }
  const lines = [`Visitor asked: ${question}`];
  if (body.answer?.trim()) lines.push(`AI answer: ${body.answer.trim()}`);
  if (body.citations?.length) lines.push(`Sources: ${body.citations.map((c) => `${c.title} (${c.articleId})`).join(', ')}`);
  return {
    text: lines.join('\n'),
    metadata: { escalation: { behavior, question, answer: body.answer ?? null, citations: body.citations ?? [] } },
  };
}
