import { PipeTransform } from '@nestjs/common';
import { Errors } from '@widget/common';
import { IdKind, idOf, NotFoundKind } from '@widget/contracts';

/** A path id of the wrong shape cannot exist: it is answered like an unknown id (the catalogue's not-found of its kind). */
export class IdParam implements PipeTransform<string, string> {
  private readonly schema;

  constructor(private readonly kind: IdKind & NotFoundKind) {
    this.schema = idOf(kind);
  }

  transform(value: string): string {
    if (!this.schema.safeParse(value).success) throw Errors.notFound(this.kind);
    return value;
  }
}
