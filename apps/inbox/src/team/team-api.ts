import type {
  ApiKeyView,
  CannedReply,
  ConversationCounts,
  ConversationStatus,
  ConversationView,
  Conversation,
  Member,
  Message,
  Page,
  PresenceStatus,
  Role,
  Webhook,
  Widget,
} from '@widget/contracts';
import { ADMIN_ROUTE_PATHS as ROUTES, routeOf } from '@widget/contracts/wire';
import type { OperatorApi } from '@widget/sdk/core';

/**
 * Issue 21's routes for the inbox of a team, each one route of the table on the SDK's operator transport
 * (retries, the error envelope): views and counts, notes, canned replies, members, presence, keys, widgets.
 */
export class TeamApi {
  constructor(
    private readonly api: OperatorApi,
    readonly workspaceId: string,
  ) {}

  private get ws() {
    return { ws: this.workspaceId };
  }

  conversations(view: ConversationView, status?: ConversationStatus): Promise<Page<Conversation>> {
    return this.api.transport.call(routeOf(ROUTES.listConversations, this.ws), { query: { view, status, limit: 50 } });
  }

  counts(): Promise<ConversationCounts> {
    return this.api.transport.call(routeOf(ROUTES.getConversationCounts, this.ws));
  }

  /** An internal note: the Idempotency-Key makes a retried note one note. */
  note(conversationId: string, text: string, key: string): Promise<Message> {
    return this.api.transport.call(routeOf(ROUTES.postMessage, { id: conversationId }), { body: { text, type: 'note' }, headers: { 'Idempotency-Key': key } });
  }

  cannedReplies(q: string, limit = 8): Promise<Page<CannedReply>> {
    return this.api.transport.call(routeOf(ROUTES.listCannedReplies, this.ws), { query: { q: q || undefined, limit } });
  }

  createCannedReply(reply: { shortcut: string; text: string }): Promise<CannedReply> {
    return this.api.transport.call(routeOf(ROUTES.createCannedReply, this.ws), { body: reply });
  }

  deleteCannedReply(id: string): Promise<void> {
    return this.api.transport.call(routeOf(ROUTES.deleteCannedReply, { ...this.ws, id }));
  }

  members(): Promise<Page<Member>> {
    return this.api.transport.call(routeOf(ROUTES.listMembers, this.ws));
  }

  invite(member: { email: string; name: string; role: Role }): Promise<{ member: Member; inviteToken: string }> {
    return this.api.transport.call(routeOf(ROUTES.inviteMember, this.ws), { body: member });
  }

  setRole(memberId: string, role: Role): Promise<Member> {
    return this.api.transport.call(routeOf(ROUTES.patchMember, { ...this.ws, id: memberId }), { body: { role } });
  }

  removeMember(memberId: string): Promise<void> {
    return this.api.transport.call(routeOf(ROUTES.removeMember, { ...this.ws, id: memberId }));
  }

  setPresence(status: PresenceStatus): Promise<unknown> {
    return this.api.transport.call(routeOf(ROUTES.setPresence, this.ws), { body: { status } });
  }

  apiKeys(): Promise<Page<ApiKeyView>> {
    return this.api.transport.call(routeOf(ROUTES.listApiKeys, this.ws));
  }

  createApiKey(key: { name: string; role: 'admin' | 'agent' }): Promise<{ key: ApiKeyView; secret: string }> {
    return this.api.transport.call(routeOf(ROUTES.createApiKey, this.ws), { body: key });
  }

  revokeApiKey(id: string): Promise<void> {
    return this.api.transport.call(routeOf(ROUTES.revokeApiKey, { ...this.ws, id }));
  }

  widgets(): Promise<Page<Widget>> {
    return this.api.transport.call(routeOf(ROUTES.listWidgets, this.ws));
  }

  patchWidget(id: string, patch: Record<string, unknown>): Promise<Widget> {
    return this.api.transport.call(routeOf(ROUTES.patchWidget, { id }), { body: patch });
  }

  /** SPEC §16: the workspace's webhooks, without secrets (the integrations service). */
  webhooks(): Promise<Page<Webhook>> {
    return this.api.transport.call(routeOf(ROUTES.listWebhooks, this.ws));
  }
}
