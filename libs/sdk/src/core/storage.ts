/**
 * Where the frame keeps its session token: the frame origin's localStorage
 * when the browser lets it (third-party storage may be partitioned or
 * blocked, private windows may throw), else memory for the life of the page.
 * With consent required, nothing is written until consent is given; what was
 * kept in memory until then is written at that moment.
 */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export class SafeStorage {
  private readonly memory = new Map<string, string>();
  private persistent: KeyValueStore | null;
  private consent: boolean;
  /** Why the browser refused storage (null when it works or was never tried). */
  readonly unavailable: string | null;

  constructor(open: () => KeyValueStore | null, options: { requireConsent?: boolean } = {}) {
    this.consent = !options.requireConsent;
    let store: KeyValueStore | null = null;
    let reason: string | null = null;
    try {
      store = open();
      if (!store) reason = 'no storage in this context';
      else {
        const probe = '__supportchat_probe__';
        store.setItem(probe, '1');
        store.removeItem(probe);
      }
    } catch (err) {
      store = null;
      reason = (err as Error)?.message || 'storage refused';
    }
    this.persistent = store;
    this.unavailable = store ? null : reason;
  }

  get(key: string): string | null {
    if (this.memory.has(key)) return this.memory.get(key) ?? null;
    if (!this.persistent || !this.consent) return null;
    try {
      return this.persistent.getItem(key);
    } catch {
      return null;
    }
  }

  set(key: string, value: string): void {
    this.memory.set(key, value);
    if (this.persistent && this.consent) this.write(key, value);
  }

  remove(key: string): void {
    this.memory.delete(key);
    try {
      this.persistent?.removeItem(key);
    } catch {
      // nothing stored there
    }
  }

  /** Consent given: what memory holds is written now. Withdrawn: removed from storage, kept in memory. */
  setConsent(granted: boolean): void {
    this.consent = granted;
    for (const [key, value] of this.memory) {
      if (granted) this.write(key, value);
      else
        try {
          this.persistent?.removeItem(key);
        } catch {
          // ignore
        }
    }
  }

  private write(key: string, value: string): void {
    try {
      this.persistent?.setItem(key, value);
    } catch {
      this.persistent = null;
    }
  }
}
