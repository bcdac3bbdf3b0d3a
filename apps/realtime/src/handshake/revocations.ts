import { Injectable } from '@nestjs/common';
import { REALTIME_TOKEN_MAX_TTL_SECONDS } from '@widget/contracts';
import { credentialRoom, principalRoom, sessionRoom } from '../core/rooms';

/** A revocation is kept as long as a token minted before it can live, and a little longer for clock skew. */
const REMEMBER_MS = (REALTIME_TOKEN_MAX_TTL_SECONDS + 30) * 1000;

/**
 * What this replica heard revoked (`session.revoked` ends a session's room, `team.access.changed` a
 * principal's), so a signed realtime token minted before the revocation and not yet expired is refused at
 * the handshake without asking the session service. Each entry lives REALTIME_TOKEN_MAX_TTL_SECONDS
 * (+30 s): every token it could refuse has expired by then. The window this leaves (a replica that was
 * not listening when the revocation was published) is stated in docs/realtime.md.
 */
@Injectable()
export class Revocations {
  /** Room → when it was revoked (ms), oldest first. */
  private readonly rooms = new Map<string, number>();
  /** The clock (a unit spec sets its own). */
  now: () => number = Date.now;

  /** The sockets of this room were ended for good (DeliveryCore.endRoom with reason `revoked`). */
  revoked(room: string): void {
    const now = this.now();
    for (const [key, at] of this.rooms) {
      if (now - at < REMEMBER_MS) break;
      this.rooms.delete(key);
    }
    this.rooms.delete(room);
    this.rooms.set(room, now);
  }

  /** A revoked session stays revoked: any of its tokens is refused, whenever minted. */
  sessionRevoked(sessionId: string): boolean {
    return this.at(sessionRoom(sessionId)) !== undefined;
  }

  /** An operator account or API key (SPEC §14): its tokens minted before the change are refused; a newer one is not. */
  principalRevoked(id: string | null, issuedAtMs: number): boolean {
    if (id === null) return false;
    const at = this.at(principalRoom(id));
    return at !== undefined && issuedAtMs <= at;
  }

  /** A signed-out operator token: every realtime token minted through it is refused, whenever minted. */
  credentialRevoked(credential: string | undefined): boolean {
    return credential !== undefined && this.at(credentialRoom(credential)) !== undefined;
  }

  get size(): number {
    return this.rooms.size;
  }

  private at(room: string): number | undefined {
    const at = this.rooms.get(room);
    return at !== undefined && this.now() - at < REMEMBER_MS ? at : undefined;
  }
}
