import { monotonicFactory } from 'ulid';
import { ID_PREFIX, IdKind } from '@widget/contracts';

const nextUlid = monotonicFactory();

/** A prefixed, time-ordered id (SPEC §2): ids sort by creation time within a process. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIX[kind]}_${nextUlid()}`;
}
