import type { Attachment, Conversation, ConversationStatus, Message, OperatorConversation, Page } from '@widget/contracts';
import type { Credentials } from './storage';

/** A refused call, carrying the SPEC §3 envelope's fields (or network_error when nothing answered). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly requestId: string | null,
    readonly recoverable: boolean,
    readonly reason?: string,
  ) {
    super(message);
  }
}

type Envelope = { error?: { code: string; message: string; reason?: string; requestId?: string; recoverable?: boolean } } | null;

function refusal(status: number, json: Envelope, requestIdHeader: string | null): ApiError {
  const e = json?.error;
  return new ApiError(e?.code ?? 'internal_error', e?.message ?? `HTTP ${status}`, status, e?.requestId ?? requestIdHeader, e?.recoverable ?? status >= 500, e?.reason);
}

const unreachable = () => new ApiError('network_error', 'The server could not be reached.', 0, null, true);

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

  /** `idempotencyKey` is minted once per composed reply and reused by every retry of it. Text may be empty when files go with it. */
  reply(id: string, text: string, idempotencyKey: string, attachmentIds: string[] = []): Promise<Message> {
    const body = { ...(text ? { text } : {}), ...(attachmentIds.length ? { attachmentIds } : {}), author: this.credentials.agent };
    return this.call('POST', `/conversations/${encodeURIComponent(id)}/messages`, body, { 'Idempotency-Key': idempotencyKey });
  }

  /** One file for a reply (multipart, one part named `file`), over XMLHttpRequest: fetch cannot tell how much was sent. */
  upload(conversationId: string, file: File, options: { signal?: AbortSignal; onProgress?: (loaded: number) => void } = {}): Promise<Attachment> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(new ApiError('cancelled', 'The upload was cancelled.', 0, null, false));
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `/admin/v1/conversations/${encodeURIComponent(conversationId)}/attachments`);
      xhr.setRequestHeader('authorization', `Bearer ${this.credentials.apiKey}`);
      xhr.upload.onprogress = (e) => options.onProgress?.(e.loaded);
      xhr.onload = () => {
        const json = (() => {
          try {
            return JSON.parse(xhr.responseText) as unknown;
          } catch {
            return null;
          }
        })();
        if (xhr.status >= 200 && xhr.status < 300 && json) resolve(json as Attachment);
        else reject(refusal(xhr.status, json as Envelope, xhr.getResponseHeader('x-request-id')));
      };
      xhr.onerror = () => reject(unreachable());
      xhr.onabort = () => reject(new ApiError('cancelled', 'The upload was cancelled.', 0, null, false));
      options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      const form = new FormData();
      form.append('file', file, file.name);
      xhr.send(form);
    });
  }

  /** An attachment's bytes: the message's signed link (made for visitors) moved to the operator's path, read with the key. */
  async attachment(attachment: Attachment): Promise<Blob> {
    const { search } = new URL(attachment.url, location.origin);
    const path = `/workspaces/${encodeURIComponent(this.credentials.workspaceId)}/attachments/${encodeURIComponent(attachment.id)}${search}`;
    return (await this.send('GET', path)).blob();
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
    const res = await this.send(method, path, body, headers);
    if (res.status === 204) return undefined as T;
    return (await res.json().catch(() => null)) as T;
  }

  /** The request with the key; a refusal throws its envelope as an ApiError. */
  private async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
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
      throw unreachable();
    }
    if (!res.ok) throw refusal(res.status, (await res.json().catch(() => null)) as Envelope, res.headers.get('x-request-id'));
    return res;
  }
}
