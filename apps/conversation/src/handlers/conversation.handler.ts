import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ConversationRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { ConversationsService } from '../domain/conversations.service';

type Req<K extends keyof typeof ConversationRpc> = RpcRequest<(typeof ConversationRpc)[K]>;
type Res<K extends keyof typeof ConversationRpc> = Promise<RpcReply<(typeof ConversationRpc)[K]>>;

/** Visitor-facing subjects (gateway, realtime, forms, knowledge, session): NATS in, domain service out. */
@Controller()
export class ConversationHandler {
  constructor(private readonly conversations: ConversationsService) {}

  @MessagePattern(ConversationRpc.list.subject)
  list(@Payload() req: Req<'list'>): Res<'list'> {
    return this.conversations.list(req.session, req.cursor, req.limit);
  }

  @MessagePattern(ConversationRpc.create.subject)
  create(@Payload() req: Req<'create'>): Res<'create'> {
    return this.conversations.create(req);
  }

  @MessagePattern(ConversationRpc.get.subject)
  get(@Payload() req: Req<'get'>): Res<'get'> {
    return this.conversations.get(req.session, req.conversationId);
  }

  @MessagePattern(ConversationRpc.markRead.subject)
  markRead(@Payload() req: Req<'markRead'>): Res<'markRead'> {
    return this.conversations.markRead(req.session, req.conversationId, req.lastReadMessageId);
  }

  @MessagePattern(ConversationRpc.listMessages.subject)
  listMessages(@Payload() req: Req<'listMessages'>): Res<'listMessages'> {
    return this.conversations.listMessages(req.session, req.conversationId, req);
  }

  @MessagePattern(ConversationRpc.sendMessage.subject)
  sendMessage(@Payload() req: Req<'sendMessage'>): Res<'sendMessage'> {
    return this.conversations.send(req.session, req.conversationId, req.text, req.clientMessageId ?? null, req.metadata, req.attachmentIds);
  }

  @MessagePattern(ConversationRpc.emailReply.subject)
  emailReply(@Payload() req: Req<'emailReply'>): Res<'emailReply'> {
    return this.conversations.emailReply(req);
  }

  @MessagePattern(ConversationRpc.escalate.subject)
  escalate(@Payload() req: Req<'escalate'>): Res<'escalate'> {
    const { session, conversationId, behavior, ...body } = req;
    return this.conversations.escalate(session, conversationId, behavior, body);
  }

  @MessagePattern(ConversationRpc.postBotMessage.subject)
  postBotMessage(@Payload() req: Req<'postBotMessage'>): Res<'postBotMessage'> {
    return this.conversations.postBotMessage(req.session, req.conversationId, req.text, req.authorName);
  }

  @MessagePattern(ConversationRpc.replay.subject)
  replay(@Payload() req: Req<'replay'>): Res<'replay'> {
    return this.conversations.replay(req.session, req.afterMessageId, req.limit);
  }

  @MessagePattern(ConversationRpc.mergeSession.subject)
  mergeSession(@Payload() req: Req<'mergeSession'>): Res<'mergeSession'> {
    return this.conversations.mergeSession(req.workspaceId, req.fromSessionId, req.toUserId);
  }
}
