import { Injectable } from '@nestjs/common';
import { AppError, Errors, NatsBus, zodDetails } from '@widget/common';
import { ConversationEvents, ConversationRpc, operatorTypingFrame, OperatorContext, SessionContext, typingFrame } from '@widget/contracts';
import type { ZodType } from 'zod';

/** Per socket: conversations already proven to be the viewer's, and a small rate budget. */
export interface TypingState {
  owned: Set<string>;
  windowStart: number;
  count: number;
}

const WINDOW_MS = 10_000;
const MAX_PER_WINDOW = 40;
const OWNED_MAX = 100;

export const newTypingState = (): TypingState => ({ owned: new Set(), windowStart: 0, count: 0 });

/** Client-to-server `typing` (SPEC §10), for a conversation the viewer may see only. */
@Injectable()
export class TypingService {
  constructor(private readonly bus: NatsBus) {}

  /** Visitor typing → the operator side (`conversation.visitor.typing`). */
  async relay(session: SessionContext, state: TypingState, body: unknown): Promise<void> {
    const { conversationId, typing } = checked(typingFrame, state, body);
    if (!state.owned.has(conversationId)) {
      // Throws conversation_not_found for another viewer's (or an unknown) conversation.
      await this.bus.send(ConversationRpc.get, { session, conversationId });
      remember(state, conversationId);
    }
    await this.bus.emit(ConversationEvents.visitorTyping, {
      workspaceId: session.workspaceId,
      conversationId,
      sessionId: session.sessionId,
      userId: session.userId,
      typing,
      at: new Date().toISOString(),
    });
  }

  /** Operator typing → the visitor (and the workspace's other operator sockets), as the admin typing route does. */
  async relayOperator(operator: OperatorContext, state: TypingState, body: unknown): Promise<void> {
    const { conversationId, typing, author } = checked(operatorTypingFrame, state, body);
    // conversation_not_found for a conversation of another workspace: the token names one.
    await this.bus.send(ConversationRpc.adminTyping, { conversationId, typing, author: { id: author.id, name: author.name ?? null }, workspaceId: operator.workspaceId });
  }
}

function checked<T>(schema: ZodType<T>, state: TypingState, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw Errors.validation(zodDetails(parsed.error));
  const now = Date.now();
  if (now - state.windowStart > WINDOW_MS) {
    state.windowStart = now;
    state.count = 0;
  }
  if (++state.count > MAX_PER_WINDOW) throw new AppError('rate_limited', 'Too many typing events.', { reason: 'typing_rate' });
  return parsed.data;
}

function remember(state: TypingState, conversationId: string): void {
  if (state.owned.size < OWNED_MAX) state.owned.add(conversationId);
}
