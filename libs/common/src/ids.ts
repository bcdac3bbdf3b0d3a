import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import { ID_PREFIX, IdKind } from '@widget/contracts';

const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let used = POOL_BYTES;

/**
 * Cryptographic randomness for ids, read from a pooled buffer: ulid asks for
 * one random value per character, and one system call per character showed
 * up in the gateway's profile.
 */
function pooledRandom(): number {
  if (used === POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  // A byte over 256 is in [0, 1) with steps of 1/256: ulid's 32 symbols stay uniform.
  return pool[used++] / 256;
}

const nextUlid = monotonicFactory(pooledRandom);

/** A prefixed, time-ordered id (SPEC §2): ids sort by creation time within a process. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIX[kind]}_${nextUlid()}`;
}

/**
 * Where domain code takes new ids: injected (like Clock), so a service test
 * can make them deterministic. `UlidIds` is newId above.
 */
export abstract class Ids {
  abstract newId(kind: IdKind): string;
}

export class UlidIds extends Ids {
  newId(kind: IdKind): string {
    return newId(kind);
  }
}
