/**
 * The turn of a handshake refused as `server_busy` (issue 26): each refusal books the next free slot of a
 * virtual queue served at `perSecond`, starting `minDelayMs` from now (past the burst that filled the cap),
 * and the refusal's `retryAfter` is the time until that slot. A reconnect storm then comes back at the rate
 * one process admits rather than all at once, or after a backoff that grew while the process was down. A
 * client refused again (the rate was set above what the process manages) books a slot at the end of the
 * queue, so the storm still drains, at the rate actually achieved. Slots are per process, like the cap.
 */
export class AdmissionPacer {
  private nextSlotMs = 0;

  constructor(
    private readonly perSecond: number,
    private readonly minDelayMs: number,
    private readonly maxDelayMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the next free turn (millisecond precision), booked for the caller. */
  turn(): number {
    const now = this.now();
    const slot = Math.min(Math.max(now + this.minDelayMs, this.nextSlotMs), now + this.maxDelayMs);
    this.nextSlotMs = slot + 1000 / this.perSecond;
    return Math.round(slot - now) / 1000;
  }
}
