/**
 * What the operator typed in, kept for this tab only (sessionStorage): the
 * operator API key never goes into the page, a URL, or localStorage.
 */
export interface Credentials {
  apiKey: string;
  workspaceId: string;
  agent: { id: string; name: string };
}

const KEY = 'inbox.credentials';
const SEEN = 'inbox.seen';

export function loadCredentials(): Credentials | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const parsed = raw ? (JSON.parse(raw) as Credentials) : null;
    return parsed?.apiKey && parsed.workspaceId && parsed.agent?.name ? parsed : null;
  } catch {
    return null;
  }
}

export function saveCredentials(credentials: Credentials): void {
  sessionStorage.setItem(KEY, JSON.stringify(credentials));
}

export function forgetCredentials(): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(SEEN);
}

/** An agent id stable for a name, so the same person in two tabs is one assignee. */
export function agentIdFor(name: string): string {
  const slug = name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `agent-${slug || 'operator'}`;
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
