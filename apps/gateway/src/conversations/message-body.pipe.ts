import { PipeTransform } from '@nestjs/common';
import { AppError, Errors, zodDetails } from '@widget/common';
import { messageTextProblem } from '@widget/contracts';
import { ZodTypeAny, z } from 'zod';

/**
 * A body carrying message text: a bad text is `message_invalid` (reason
 * not_a_string / empty / too_long), anything else wrong is `validation_error`.
 * `optional`: true, the text may be left out; 'withAttachments', only when the
 * body carries `attachmentIds` (SPEC §13: text or at least one attachment).
 */
export class MessageBodyPipe<S extends ZodTypeAny> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly field: string,
    private readonly optional: boolean | 'withAttachments' = false,
  ) {}

  transform(value: unknown): z.infer<S> {
    const body = value ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw Errors.validation([{ field: '(body)', reason: 'must be a JSON object' }]);
    const text = (body as Record<string, unknown>)[this.field];
    const mayLeaveOut = this.optional === 'withAttachments' ? (body as Record<string, unknown>).attachmentIds !== undefined : this.optional;
    if (!(mayLeaveOut && text === undefined)) {
      const problem = messageTextProblem(text);
      if (problem) {
        throw new AppError('message_invalid', 'The message text is not valid.', { reason: problem, details: [{ field: this.field, reason: problem }] });
      }
    }
    const parsed = this.schema.safeParse(body);
    if (!parsed.success) throw Errors.validation(zodDetails(parsed.error));
    return parsed.data;
  }
}
