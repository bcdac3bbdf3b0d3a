import { Body, Param, Query, Res } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import {
  Conversation,
  ConversationRpc,
  createConversationBody,
  CreateConversationBody,
  Message,
  messagesQuery,
  MessagesQuery,
  Page,
  pageQuery,
  PageQuery,
  readBody,
  ROUTES,
  sendMessageBody,
  escalateBody,
  EscalateBody,
  EscalateReply,
  WidgetAccess,
  SendMessageBody,
  SessionContext,
} from '@widget/contracts';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { CurrentSession, CurrentWidget } from '../auth/request-state';
import { IdParam } from '../http/id-param.pipe';
import { Route, WidgetController } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { MessageBodyPipe } from './message-body.pipe';

const conversationParam = new IdParam('conversation');

/** SPEC §5: the session's own conversations (or its user's) and their messages. */
@WidgetController()
export class ConversationsController {
  constructor(private readonly bus: NatsBus) {}

  @Route(ROUTES.widget.listConversations)
  list(@CurrentSession() session: SessionContext, @Query(new ZodPipe(pageQuery)) query: PageQuery): Promise<Page<Conversation>> {
    return this.bus.send(ConversationRpc.list, { session, cursor: query.cursor, limit: query.limit });
  }

  /** 201 when created; 200 with the original when the same clientMessageId is retried. */
  @Route(ROUTES.widget.createConversation)
  async create(
    @CurrentSession() session: SessionContext,
    @CurrentWidget() widget: WidgetAccess,
    @Body(new MessageBodyPipe(createConversationBody, 'message', true)) body: CreateConversationBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Conversation> {
    // The widget's routing goes with it: the conversation service assigns a present agent (SPEC §14).
    const { conversation, created } = await this.bus.send(ConversationRpc.create, { session, body, routing: widget.routing });
    reply.status(created ? 201 : 200);
    return conversation;
  }

  @Route(ROUTES.widget.getConversation)
  get(@CurrentSession() session: SessionContext, @Param('id', conversationParam) conversationId: string): Promise<Conversation> {
    return this.bus.send(ConversationRpc.get, { session, conversationId });
  }

  @Route(ROUTES.widget.markConversationRead)
  read(
    @CurrentSession() session: SessionContext,
    @Param('id', conversationParam) conversationId: string,
    @Body(new ZodPipe(readBody)) body: z.infer<typeof readBody>,
  ): Promise<Conversation> {
    return this.bus.send(ConversationRpc.markRead, { session, conversationId, lastReadMessageId: body.lastReadMessageId });
  }

  @Route(ROUTES.widget.listMessages)
  messages(
    @CurrentSession() session: SessionContext,
    @Param('id', conversationParam) conversationId: string,
    @Query(new ZodPipe(messagesQuery)) query: MessagesQuery,
  ): Promise<Page<Message>> {
    return this.bus.send(ConversationRpc.listMessages, { session, conversationId, ...query });
  }

  /**
   * The visitor goes from an AI answer (named by its id) to a person: a system
   * message for the agent, by ai.escalationBehavior, charged as a message. 201
   * when posted; 200 when nothing was (behaviour none) or the conversation's
   * escalation exists already (one per conversation).
   */
  @Route(ROUTES.widget.escalateConversation)
  async escalate(
    @CurrentSession() session: SessionContext,
    @CurrentWidget() widget: WidgetAccess,
    @Param('id', conversationParam) conversationId: string,
    @Body(new ZodPipe(escalateBody)) body: EscalateBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EscalateReply> {
    const { created, ...result } = await this.bus.send(ConversationRpc.escalate, {
      session,
      conversationId,
      behavior: widget.ai.escalationBehavior,
      ...body,
    });
    reply.status(created ? 201 : 200);
    return result;
  }

  /** 201 when stored; 200 with the original message when the same clientMessageId is retried. */
  @Route(ROUTES.widget.sendMessage)
  async send(
    @CurrentSession() session: SessionContext,
    @Param('id', conversationParam) conversationId: string,
    @Body(new MessageBodyPipe(sendMessageBody, 'text', 'withAttachments')) body: SendMessageBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Message> {
    const { message, created } = await this.bus.send(ConversationRpc.sendMessage, { session, conversationId, ...body });
    reply.status(created ? 201 : 200);
    return message;
  }
}
