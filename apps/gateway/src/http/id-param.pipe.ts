import { PipeTransform } from '@nestjs/common';
import { AppError } from '@widget/common';
import { IdKind, idOf } from '@widget/contracts';

/** A path id of the wrong shape cannot exist: it is answered like an unknown id. */
export class IdParam implements PipeTransform<string, string> {
  private readonly schema;

  constructor(
    kind: IdKind,
    private readonly notFound: () => AppError,
  ) {
    this.schema = idOf(kind);
  }

  transform(value: string): string {
    if (!this.schema.safeParse(value).success) throw this.notFound();
    return value;
  }
}
