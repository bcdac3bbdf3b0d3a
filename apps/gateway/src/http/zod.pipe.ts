import { PipeTransform } from '@nestjs/common';
import { AppError, Errors, zodDetails } from '@widget/common';
import { ZodTypeAny, z } from 'zod';

/** Validates a body or query with a schema from libs/contracts; failures name every bad field. */
export class ZodPipe<S extends ZodTypeAny> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly toError: (details: ReturnType<typeof zodDetails>) => AppError = (details) => Errors.validation(details),
  ) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    throw this.toError(zodDetails(parsed.error));
  }
}
