import type { Conversation, ConversationStatus, Message, OperatorConversation, Page } from '@widget/contracts';
import type { Credentials } from './storage';

/** A refused call, carrying the SPEC §3 envelope's fields (or network_error when nothing answered). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly requestId: string | null,
    readonly recoverable: boolean,
  ) {
    super(message);
  }
}

/** The operator API (SPEC §9) on this page's own origin, with the key the operator typed in. */
export class OperatorApi {
  constructor(private readonly credentials: Credentials) {}

  listConversations(query: { status?: ConversationStatus; cursor?: string; limit?: number }): Promise<Page<Conversation>> {
    const params = new URLSearchParams({ limit: String(query.limit ?? 50) });
    if (query.status) params.set('status', query.status);
    if (query.cursor) params.set('cursor', query.cursor);
    return this.call('GET', `/workspaces/${encodeURIComponent(this.credentials.workspaceId)}/conversations?${params}`);
  }

  getConversation(id: string): Promise<OperatorConversation> {
    return this.call('GET', `/conversations/${encodeURIComponent(id)}`);
  }

  listMessages(id: string, query: { cursor?: string; after?: string; limit?: number }): Promise<Page<Message>> {
    const params = new URLSearchParams({ limit: String(query.limit ?? 30) });
    if (query.cursor) params.set('cursor', query.cursor);
    if (query.after) params.set('after', query.after);
    return this.call('GET', `/conversations/${encodeURIComponent(id)}/messages?${params}`);
  }

  /** `idempotencyKey` is minted once per composed reply and reused by every retry of it. */
  reply(id: string, text: string, idempotencyKey: string): Promise<Message> {
    return this.call('POST', `/conversations/${encodeURIComponent(id)}/messages`, { text, author: this.credentials.agent }, { 'Idempotency-Key': idempotencyKey });
  }

  patch(id: string, change: { status?: ConversationStatus; assignee?: { id: string; name: string } | null }): Promise<Conversation> {
    return this.call('PATCH', `/conversations/${encodeURIComponent(id)}`, change);
  }

  typing(id: string, typing: boolean): Promise<void> {
    return this.call('POST', `/conversations/${encodeURIComponent(id)}/typing`, { typing, author: this.credentials.agent });
  }

  realtimeToken(): Promise<{ token: string; expiresAt: string }> {
    return this.call('POST', `/workspaces/${encodeURIComponent(this.credentials.workspaceId)}/realtime-token`);
  }

  private async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`/admin/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${this.credentials.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError('network_error', 'The server could not be reached.', 0, null, true);
    }
    if (res.status === 204) return undefined as T;
    const json = (await res.json().catch(() => null)) as { error?: { code: string; message: string; requestId?: string; recoverable?: boolean } } | null;
    if (!res.ok) {
      const e = json?.error;
      throw new ApiError(e?.code ?? 'internal_error', e?.message ?? `HTTP ${res.status}`, res.status, e?.requestId ?? res.headers.get('x-request-id'), e?.recoverable ?? res.status >= 500);
    }
    return json as T;
  }
}
