import type { Attachment, Conversation, ConversationStatus, LoginReply, Message, MeReply, OperatorConversation, Page } from '@widget/contracts';
import { ADMIN_ROUTE_PATHS as ROUTES, routeOf } from '@widget/contracts/wire';
import { SupportChatError } from '../errors';
import { Transport, TransportOptions } from './transport';
import { uploadFile } from './upload';

/**
 * The operator flavour of the transport (SPEC §9, §14): the admin API as a signed-in operator of one
 * workspace, used by the inbox. Thin: each method is one route of the table; retries, Retry-After,
 * the error envelope (SupportChatError) and the realtime feed are the transport's, shared with the visitor's chat.
 */
export interface OperatorSession {
  /** The operator token (`opt_…`) from POST /auth/login or single sign-on. */
  token: string;
  workspaceId: string;
}

type Connection = Omit<TransportOptions, 'flavour' | 'token' | 'withToken'>;

/** A refusal that means the operator token is no longer good (it expired or was revoked): sign in again. */
export function isSignedOut(err: unknown): boolean {
  const code = err instanceof SupportChatError ? err.code : null;
  return (code === 'invalid_token' || code === 'auth_required' || code === 'auth_expired') && (err as SupportChatError).reason !== 'link_expired';
}

/** Signing in and out (SPEC §14): no token, or the token being checked or ended. */
export class OperatorAuth {
  private readonly transport: Transport;

  constructor(connection: Connection) {
    this.transport = new Transport({ ...connection, flavour: { kind: 'operator', workspaceId: '' }, token: () => null });
  }

  /** Whether single sign-on is set up; anything but a 200 that says so (an older gateway, an error) is "no". */
  async options(): Promise<{ sso: boolean }> {
    try {
      return { sso: (await this.transport.open<{ sso?: unknown } | null>(routeOf(ROUTES.getAuthOptions), { retry: false }))?.sso === true };
    } catch {
      return { sso: false };
    }
  }

  /** One attempt: a refusal (wrong password, too many tries) is shown at once, with the wait the server asked for. */
  login(email: string, password: string): Promise<LoginReply> {
    return this.transport.open<LoginReply>(routeOf(ROUTES.login), { body: { email, password }, retry: false });
  }

  /** The invitation's token (`inv_…`, from the mail's `/inbox/#invite=` link) with a new password, or the account's own; one attempt. */
  acceptInvite(body: { inviteToken: string; password: string; name?: string }): Promise<LoginReply> {
    return this.transport.open<LoginReply>(routeOf(ROUTES.acceptInvite), { body, retry: false });
  }

  me(token: string): Promise<MeReply> {
    return this.transport.open<MeReply>(routeOf(ROUTES.getMe), { token });
  }

  logout(token: string): Promise<void> {
    return this.transport.open<void>(routeOf(ROUTES.logout), { token, retry: false });
  }

  /** Where "Sign in with SSO" goes: the provider, then back to `returnTo` with the token in the fragment. */
  ssoStartUrl(returnTo: string): string {
    return `${routeOf(ROUTES.startOidc).path}?${new URLSearchParams({ returnTo })}`;
  }
}

export type ConversationChange = { status?: ConversationStatus; assignee?: { id: string; name: string } | null };

/** The operator API for one workspace, as the signed-in operator: replies, typing and assignment are authored by the account. */
export class OperatorApi {
  readonly transport: Transport;

  constructor(
    private readonly session: OperatorSession,
    private readonly connection: Connection,
  ) {
    this.transport = new Transport({
      ...connection,
      flavour: { kind: 'operator', workspaceId: session.workspaceId },
      realtimeToken: routeOf(ROUTES.createOperatorRealtimeToken, { ws: session.workspaceId }),
      token: () => session.token,
    });
  }

  listConversations(query: { status?: ConversationStatus; cursor?: string; limit?: number }): Promise<Page<Conversation>> {
    const route = routeOf(ROUTES.listConversations, { ws: this.session.workspaceId });
    return this.transport.call(route, { query: { limit: query.limit ?? 50, status: query.status, cursor: query.cursor } });
  }

  getConversation(id: string): Promise<OperatorConversation> {
    return this.transport.call(routeOf(ROUTES.getConversation, { id }));
  }

  listMessages(id: string, query: { cursor?: string; after?: string; limit?: number }): Promise<Page<Message>> {
    return this.transport.call(routeOf(ROUTES.listMessages, { id }), { query: { limit: query.limit ?? 30, cursor: query.cursor, after: query.after } });
  }

  /**
   * A reply. `clientMessageId` is minted once per composed reply and reused by every retry of it: it is the
   * Idempotency-Key (the server stores the reply once) and comes back on the stored message, so the pending copy
   * is settled by id whichever of the answer and the feed arrives first. Text may be empty when files go with it.
   */
  reply(id: string, reply: { text: string; clientMessageId: string; attachmentIds?: string[] }): Promise<Message> {
    const files = reply.attachmentIds ?? [];
    const body = { ...(reply.text ? { text: reply.text } : {}), ...(files.length ? { attachmentIds: files } : {}), clientMessageId: reply.clientMessageId };
    return this.transport.call(routeOf(ROUTES.postMessage, { id }), { body, headers: { 'Idempotency-Key': reply.clientMessageId } });
  }

  /** One file for a reply (multipart, one part named `file`), with its progress. */
  upload(conversationId: string, file: File, options: { signal?: AbortSignal; onProgress?: (loaded: number) => void } = {}): Promise<Attachment> {
    const route = routeOf(ROUTES.uploadAttachment, { id: conversationId });
    const url = new URL(route.path, this.connection.apiBase).toString();
    return uploadFile<Attachment>({ url, token: this.session.token, file, name: file.name, signal: options.signal, onProgress: options.onProgress && ((loaded) => options.onProgress!(loaded)) });
  }

  /** An attachment's bytes: the message's signed link (made for visitors) moved to the operator's path, read with the token. */
  attachment(attachment: Attachment): Promise<Blob> {
    const { search } = new URL(attachment.url, this.connection.apiBase);
    const route = routeOf(ROUTES.downloadAttachment, { ws: this.session.workspaceId, id: attachment.id });
    return this.transport.call({ ...route, path: route.path + search }, { as: 'blob' });
  }

  patch(id: string, change: ConversationChange): Promise<Conversation> {
    return this.transport.call(routeOf(ROUTES.patchConversation, { id }), { body: change });
  }

  typing(id: string, typing: boolean): Promise<void> {
    return this.transport.call(routeOf(ROUTES.setTyping, { id }), { body: { typing }, retry: false });
  }
}
