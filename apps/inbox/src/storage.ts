import type { OperatorView } from '@widget/contracts';

/**
 * The operator's sign-in (SPEC §14), kept for this tab only (sessionStorage):
 * the operator token (`opt_…`, hashed at rest on the server, it expires) and
 * the account as the server described it, never a password or a root key,
 * never in a URL or localStorage.
 */
export interface Account {
  token: string;
  expiresAt: string;
  operator: OperatorView;
  /** The workspace this tab works in: one of the account's memberships, null until one is chosen. */
  workspaceId: string | null;
}

/** An account with a workspace chosen: what the inbox works with. */
export type Session = Account & { workspaceId: string };

const KEY = 'inbox.account';
/** What an earlier version kept (the root key and a typed name): removed wherever it is found. */
const LEGACY_KEY = 'inbox.credentials';
const SEEN = 'inbox.seen';

export function loadAccount(): Account | null {
  try {
    sessionStorage.removeItem(LEGACY_KEY);
    const raw = sessionStorage.getItem(KEY);
    const parsed = raw ? (JSON.parse(raw) as Account) : null;
    if (!parsed?.token || !parsed.operator?.id || !Array.isArray(parsed.operator.memberships)) return null;
    if (Date.parse(parsed.expiresAt) <= Date.now()) {
      forgetAccount();
      return null;
    }
    return parsed;
  } catch {
    return null;
  }
}

export function saveAccount(account: Account): void {
  sessionStorage.setItem(KEY, JSON.stringify(account));
}

export function forgetAccount(): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(SEEN);
}

/** conversationId → the newest message id this operator has had on screen. */
export function loadSeen(): Record<string, string> {
  try {
    return JSON.parse(sessionStorage.getItem(SEEN) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

export function saveSeen(seen: Record<string, string>): void {
  sessionStorage.setItem(SEEN, JSON.stringify(seen));
}
