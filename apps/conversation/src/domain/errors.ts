import { AppError, Errors } from '@widget/common';
import { messageTextProblem } from '@widget/contracts';

export const conversationNotFound = () => Errors.notFound('conversation');

/** NATS callers (forms, knowledge) are checked like the gateway checks HTTP bodies. */
export function checkMessageText(text: unknown, field = 'text'): asserts text is string {
  const problem = messageTextProblem(text);
  if (problem) throw new AppError('message_invalid', 'The message text is not valid.', { reason: problem, details: [{ field, reason: problem }] });
}

/** The same idempotency key with another body: a client bug, refused with nothing stored. */
export function idempotencyKeyReused(field: string, reason: string): AppError {
  return new AppError('validation_error', `This ${field} was already used for a different request.`, {
    status: 409,
    reason,
    details: [{ field, reason: 'already used with a different body' }],
  });
}
