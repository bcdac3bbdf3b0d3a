import { Body, Param, Query } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import {
  adminConversationsQuery,
  adminMessageBody,
  AdminMessageBody,
  Caller,
  adminPatchConversationBody,
  adminTypingBody,
  AuditContext,
  Conversation,
  ConversationCounts,
  conversationCountsQuery,
  ConversationRpc,
  IdempotencyRequest,
  Message,
  messagesQuery,
  MessagesQuery,
  OperatorConversation,
  Page,
  ROUTES,
  SessionRpc,
  ViewFilter,
} from '@widget/contracts';
import { z } from 'zod';
import { Access, Audit, CurrentCaller } from '../auth/access';
import { authorOf } from '../auth/authorship';
import { IdParam } from '../http/id-param.pipe';
import { IdempotencyKey } from '../http/idempotency-key';
import { AdminController, Route } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { MessageBodyPipe } from './message-body.pipe';

const conversationParam = new IdParam('conversation');
const workspaceParam = new IdParam('workspace');

/** SPEC §9: a workspace's conversations, for the operator's inbox. */
@AdminController()
export class WorkspaceConversationsController {
  constructor(private readonly bus: NatsBus) {}

  @Route(ROUTES.admin.listConversations)
  @Access.inWorkspace('agent')
  list(
    @Param('ws', workspaceParam) workspaceId: string,
    @Query(new ZodPipe(adminConversationsQuery)) query: z.infer<typeof adminConversationsQuery>,
    @CurrentCaller() caller?: Caller,
  ): Promise<Page<Conversation>> {
    const filter: ViewFilter = query.view === 'mine' ? { view: 'mine', assigneeId: accountOf(caller) } : { view: query.view };
    return this.bus.send(ConversationRpc.adminList, { workspaceId, status: query.status, filter, cursor: query.cursor, limit: query.limit });
  }

  /** Issue 21: the inbox's view counts; "mine" is the calling account's (a key or the root key has none). */
  @Route(ROUTES.admin.getConversationCounts)
  @Access.inWorkspace('agent')
  counts(
    @Param('ws', workspaceParam) workspaceId: string,
    @Query(new ZodPipe(conversationCountsQuery)) query: z.infer<typeof conversationCountsQuery>,
    @CurrentCaller() caller?: Caller,
  ): Promise<ConversationCounts> {
    return this.bus.send(ConversationRpc.adminCounts, { workspaceId, status: query.status, assigneeId: accountOf(caller) });
  }
}

/** The account whose conversations are "mine": an operator's; keys and the root key answer for nobody. */
const accountOf = (caller: Caller | undefined): string | null => (caller?.kind === 'operator' ? caller.id : null);

/** SPEC §9: answering, triaging and typing into any conversation. */
@AdminController()
export class AdminConversationsController {
  constructor(private readonly bus: NatsBus) {}

  /** The conversation with the visitor's profile beside it: what the inbox shows in its side panel. */
  @Route(ROUTES.admin.getConversation)
  @Access.onResource('agent', 'conversation')
  async get(@Param('id', conversationParam) conversationId: string): Promise<OperatorConversation> {
    const { conversation, owner, visitorLastReadMessageId } = await this.bus.send(ConversationRpc.adminGet, { conversationId });
    const visitor = await this.bus.send(SessionRpc.adminVisitor, { workspaceId: owner.workspaceId, sessionId: owner.sessionId, userId: owner.userId });
    return { ...conversation, visitor, visitorLastReadMessageId };
  }

  @Route(ROUTES.admin.listMessages)
  @Access.onResource('agent', 'conversation')
  messages(@Param('id', conversationParam) conversationId: string, @Query(new ZodPipe(messagesQuery)) query: MessagesQuery): Promise<Page<Message>> {
    return this.bus.send(ConversationRpc.adminListMessages, { conversationId, ...query });
  }

  @Route(ROUTES.admin.postMessage)
  @Access.onResource('agent', 'conversation')
  postMessage(
    @Param('id', conversationParam) conversationId: string,
    @Body(new MessageBodyPipe(adminMessageBody, 'text', 'withAttachments')) body: AdminMessageBody,
    @IdempotencyKey() idempotency?: IdempotencyRequest,
    @CurrentCaller() caller?: Caller,
  ): Promise<Message> {
    const author = authorOf(caller, body.author);
    return this.bus.send(ConversationRpc.adminPostMessage, { conversationId, text: body.text, attachmentIds: body.attachmentIds, author, type: body.type, idempotency, clientMessageId: body.clientMessageId });
  }

  @Route(ROUTES.admin.patchConversation)
  @Access.onResource('agent', 'conversation')
  patch(
    @Param('id', conversationParam) conversationId: string,
    @Body(new ZodPipe(adminPatchConversationBody)) body: z.infer<typeof adminPatchConversationBody>,
    @Audit() audit: AuditContext,
  ): Promise<Conversation> {
    const assignee = body.assignee === undefined ? undefined : body.assignee && { id: body.assignee.id, name: body.assignee.name ?? null };
    return this.bus.send(ConversationRpc.adminPatch, { conversationId, status: body.status, assignee, audit });
  }

  @Route(ROUTES.admin.setTyping)
  @Access.onResource('agent', 'conversation')
  async typing(
    @Param('id', conversationParam) conversationId: string,
    @Body(new ZodPipe(adminTypingBody)) body: z.infer<typeof adminTypingBody>,
    @CurrentCaller() caller?: Caller,
  ): Promise<void> {
    await this.bus.send(ConversationRpc.adminTyping, { conversationId, typing: body.typing, author: authorOf(caller, body.author) });
  }
}
