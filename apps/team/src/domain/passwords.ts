import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/**
 * argon2id with OWASP's baseline (19 MiB, 2 passes, 1 lane), on libuv's
 * thread pool so a login never blocks the event loop. `verifyOrBurn` spends
 * the same work when there is no account, so an unknown email and a wrong
 * password take the same time (SPEC §14).
 */
// `algorithm: 2` is Algorithm.Argon2id (a const enum, which isolatedModules cannot import).
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export class Passwords {
  /** A hash of a random string, made once: what an unknown email is checked against. */
  private readonly decoy = hash(`decoy-${randomBytes(16).toString('hex')}`, OPTIONS);

  hash(password: string): Promise<string> {
    return hash(password, OPTIONS);
  }

  /** true only when `stored` is a hash of `password`; with no hash, the same work is done and false returned. */
  async verifyOrBurn(stored: string | null, password: string): Promise<boolean> {
    if (stored === null) {
      await verify(await this.decoy, password).catch(() => false);
      return false;
    }
    return verify(stored, password).catch(() => false);
  }
}
