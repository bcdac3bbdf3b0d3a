import { ADMIN_ROUTE_PATHS as ROUTES, routeOf } from '@widget/contracts/paths';
import type { Attachment, Conversation, ConversationStatus, LoginReply, Message, MeReply, OperatorConversation, Page } from '@widget/contracts';

/** A refused call, carrying the SPEC §3 envelope's fields (or network_error when nothing answered). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly requestId: string | null,
    readonly recoverable: boolean,
    readonly reason?: string,
    /** Seconds to wait before trying again (Retry-After of a 429). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

type Envelope = { error?: { code: string; message: string; reason?: string; requestId?: string; recoverable?: boolean } } | null;

function refusal(status: number, json: Envelope, header: (name: string) => string | null): ApiError {
  const e = json?.error;
  const retryAfter = Number(header('retry-after')) || undefined;
  return new ApiError(e?.code ?? 'internal_error', e?.message ?? `HTTP ${status}`, status, e?.requestId ?? header('x-request-id'), e?.recoverable ?? status >= 500, e?.reason, retryAfter);
}

const unreachable = () => new ApiError('network_error', 'The server could not be reached.', 0, null, true);

/** A refusal (or anything else) in words for the operator, with its code and request id to report. */
export function describe(err: unknown, byCode: Record<string, string> = {}): string {
  if (err instanceof ApiError) {
    const text = byCode[err.code] ?? err.message;
    return err.requestId ? `${text} (${err.code}, request ${err.requestId})` : `${text} (${err.code})`;
  }
  return 'Something went wrong.';
}

/** A route to call: `routeOf(ROUTES.<operationId>, params)` (libs/contracts/src/route-paths.ts), a query string added to its path. */
type Route = { method: string; path: string };
const withQuery = (route: Route, query: URLSearchParams | string): Route => ({ method: route.method, path: `${route.path}?${query}` });

/** One call to /admin/v1 on this page's own origin, with the operator token when there is one; a refusal throws its envelope as an ApiError. */
async function send({ method, path }: Route, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw unreachable();
  }
  if (!res.ok) throw refusal(res.status, (await res.json().catch(() => null)) as Envelope, (name) => res.headers.get(name));
  return res;
}

async function call<T>(route: Route, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await send(route, token, body, headers);
  if (res.status === 204) return undefined as T;
  return (await res.json().catch(() => null)) as T;
}

/** Signing in and out (SPEC §14). */
export const auth = {
  /** Whether single sign-on is set up; anything but a 200 that says so (an older gateway, an error) is "no". */
  async options(): Promise<{ sso: boolean }> {
    try {
      return { sso: (await call<{ sso?: unknown } | null>(routeOf(ROUTES.getAuthOptions), null))?.sso === true };
    } catch {
      return { sso: false };
    }
  },
  login: (email: string, password: string) => call<LoginReply>(routeOf(ROUTES.login), null, { email, password }),
  me: (token: string) => call<MeReply>(routeOf(ROUTES.getMe), token),
  logout: (token: string) => call<void>(routeOf(ROUTES.logout), token),
  /** Where "Sign in with SSO" goes: the provider, then back to `returnTo` with the token in the fragment. */
  ssoStartUrl: (returnTo: string) => withQuery(routeOf(ROUTES.startOidc), new URLSearchParams({ returnTo })).path,
};

/** The operator API (SPEC §9) for one workspace, as the signed-in operator: replies and typing are authored by the account. */
export class OperatorApi {
  constructor(private readonly session: { token: string; workspaceId: string }) {}

  listConversations(query: { status?: ConversationStatus; cursor?: string; limit?: number }): Promise<Page<Conversation>> {
    const params = new URLSearchParams({ limit: String(query.limit ?? 50) });
    if (query.status) params.set('status', query.status);
    if (query.cursor) params.set('cursor', query.cursor);
    return this.call(withQuery(routeOf(ROUTES.listConversations, { ws: this.session.workspaceId }), params));
  }

  getConversation(id: string): Promise<OperatorConversation> {
    return this.call(routeOf(ROUTES.getConversation, { id }));
  }

  listMessages(id: string, query: { cursor?: string; after?: string; limit?: number }): Promise<Page<Message>> {
    const params = new URLSearchParams({ limit: String(query.limit ?? 30) });
    if (query.cursor) params.set('cursor', query.cursor);
    if (query.after) params.set('after', query.after);
    return this.call(withQuery(routeOf(ROUTES.listMessages, { id }), params));
  }

  /** `idempotencyKey` is minted once per composed reply and reused by every retry of it. Text may be empty when files go with it. */
  reply(id: string, text: string, idempotencyKey: string, attachmentIds: string[] = []): Promise<Message> {
    const body = { ...(text ? { text } : {}), ...(attachmentIds.length ? { attachmentIds } : {}) };
    return this.call(routeOf(ROUTES.postMessage, { id }), body, { 'Idempotency-Key': idempotencyKey });
  }

  /** One file for a reply (multipart, one part named `file`), over XMLHttpRequest: fetch cannot tell how much was sent. */
  upload(conversationId: string, file: File, options: { signal?: AbortSignal; onProgress?: (loaded: number) => void } = {}): Promise<Attachment> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(new ApiError('cancelled', 'The upload was cancelled.', 0, null, false));
      const xhr = new XMLHttpRequest();
      const route = routeOf(ROUTES.uploadAttachment, { id: conversationId });
      xhr.open(route.method, route.path);
      xhr.setRequestHeader('authorization', `Bearer ${this.session.token}`);
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
        else reject(refusal(xhr.status, json as Envelope, (name) => xhr.getResponseHeader(name)));
      };
      xhr.onerror = () => reject(unreachable());
      xhr.onabort = () => reject(new ApiError('cancelled', 'The upload was cancelled.', 0, null, false));
      options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      const form = new FormData();
      form.append('file', file, file.name);
      xhr.send(form);
    });
  }

  /** An attachment's bytes: the message's signed link (made for visitors) moved to the operator's path, read with the token. */
  async attachment(attachment: Attachment): Promise<Blob> {
    const { search } = new URL(attachment.url, location.origin);
    const route = routeOf(ROUTES.downloadAttachment, { ws: this.session.workspaceId, id: attachment.id });
    return (await send({ ...route, path: route.path + search }, this.session.token)).blob();
  }

  patch(id: string, change: { status?: ConversationStatus; assignee?: { id: string; name: string } | null }): Promise<Conversation> {
    return this.call(routeOf(ROUTES.patchConversation, { id }), change);
  }

  typing(id: string, typing: boolean): Promise<void> {
    return this.call(routeOf(ROUTES.setTyping, { id }), { typing });
  }

  realtimeToken(): Promise<{ token: string; expiresAt: string }> {
    return this.call(routeOf(ROUTES.createOperatorRealtimeToken, { ws: this.session.workspaceId }));
  }

  private call<T>(route: Route, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    return call<T>(route, this.session.token, body, headers);
  }
}
