import { PipeTransform } from '@nestjs/common';
import { AppError, Errors, zodDetails } from '@widget/common';
import { messageTextProblem } from '@widget/contracts';
import { ZodTypeAny, z } from 'zod';

/**
 * A body carrying message text: a bad text is `message_invalid` (reason
 * not_a_string / empty / too_long), anything else wrong is `validation_error`.
 */
export class MessageBodyPipe<S extends ZodTypeAny> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly field: string,
    private readonly optional = false,
  ) {}

  transform(value: unknown): z.infer<S> {
    const body = value ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw Errors.validation([{ field: '(body)', reason: 'must be a JSON object' }]);
    const text = (body as Record<string, unknown>)[this.field];
    if (!(this.optional && text === undefined)) {
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
