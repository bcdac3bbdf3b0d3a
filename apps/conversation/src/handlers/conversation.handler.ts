import { Controller } from '@nestjs/common';
import { Handles } from '@widget/common';
import { ConversationRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { ConversationsService } from '../domain/conversations.service';

type Req<K extends keyof typeof ConversationRpc> = RpcRequest<(typeof ConversationRpc)[K]>;
type Res<K extends keyof typeof ConversationRpc> = Promise<RpcReply<(typeof ConversationRpc)[K]>>;

/** Visitor-facing subjects (gateway, realtime, forms, knowledge, session): NATS in, domain service out. */
@Controller()
export class ConversationHandler {
  constructor(private readonly conversations: ConversationsService) {}

  @Handles(ConversationRpc.list)
  list(req: Req<'list'>): Res<'list'> {
    return this.conversations.list(req.session, req.cursor, req.limit);
  }

  @Handles(ConversationRpc.create)
  create(req: Req<'create'>): Res<'create'> {
    return this.conversations.create(req);
  }

  @Handles(ConversationRpc.get)
  get(req: Req<'get'>): Res<'get'> {
    return this.conversations.get(req.session, req.conversationId);
  }

  @Handles(ConversationRpc.markRead)
  markRead(req: Req<'markRead'>): Res<'markRead'> {
    return this.conversations.markRead(req.session, req.conversationId, req.lastReadMessageId);
  }

  @Handles(ConversationRpc.listMessages)
  listMessages(req: Req<'listMessages'>): Res<'listMessages'> {
    return this.conversations.listMessages(req.session, req.conversationId, req);
  }

  @Handles(ConversationRpc.sendMessage)
  sendMessage(req: Req<'sendMessage'>): Res<'sendMessage'> {
    return this.conversations.send(req.session, req.conversationId, req.text, req.clientMessageId ?? null, req.metadata, req.attachmentIds);
  }

  @Handles(ConversationRpc.emailReply)
  emailReply(req: Req<'emailReply'>): Res<'emailReply'> {
    return this.conversations.emailReply(req);
  }

  @Handles(ConversationRpc.escalate)
  escalate(req: Req<'escalate'>): Res<'escalate'> {
    const { session, conversationId, behavior, ...body } = req;
    return this.conversations.escalate(session, conversationId, behavior, body);
  }

  @Handles(ConversationRpc.postBotMessage)
  postBotMessage(req: Req<'postBotMessage'>): Res<'postBotMessage'> {
    return this.conversations.postBotMessage(req.session, req.conversationId, req.text, req.authorName);
  }

  @Handles(ConversationRpc.replay)
  replay(req: Req<'replay'>): Res<'replay'> {
    return this.conversations.replay(req.session, req.afterMessageId, req.limit);
  }

  @Handles(ConversationRpc.mergeSession)
  mergeSession(req: Req<'mergeSession'>): Res<'mergeSession'> {
    return this.conversations.mergeSession(req.workspaceId, req.fromSessionId, req.toUserId);
  }
}
