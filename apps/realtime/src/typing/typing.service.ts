import { Injectable } from '@nestjs/common';
import { AppError, Errors, NatsBus, zodDetails } from '@widget/common';
import { ConversationEvents, ConversationRpc, idOf, SessionContext } from '@widget/contracts';
import { z } from 'zod';

/** Client-to-server `typing` (SPEC §10). */
export const typingBody = z.object({ conversationId: idOf('conversation'), typing: z.boolean() }).strict();

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

/** Visitor typing → the operator side, only for a conversation the viewer may see. */
@Injectable()
export class TypingService {
  constructor(private readonly bus: NatsBus) {}

  async relay(session: SessionContext, state: TypingState, body: unknown): Promise<void> {
    const parsed = typingBody.safeParse(body);
    if (!parsed.success) throw Errors.validation(zodDetails(parsed.error));
    const now = Date.now();
    if (now - state.windowStart > WINDOW_MS) {
      state.windowStart = now;
      state.count = 0;
    }
    if (++state.count > MAX_PER_WINDOW) throw new AppError('rate_limited', 'Too many typing events.', { reason: 'typing_rate' });

    const { conversationId, typing } = parsed.data;
    if (!state.owned.has(conversationId)) {
      // Throws conversation_not_found for another viewer's (or an unknown) conversation.
      await this.bus.send(ConversationRpc.get, { session, conversationId });
      if (state.owned.size < OWNED_MAX) state.owned.add(conversationId);
    }
    await this.bus.emit(ConversationEvents.visitorTyping, {
      workspaceId: session.workspaceId,
      conversationId,
      sessionId: session.sessionId,
      userId: session.userId,
      typing,
      at: new Date(now).toISOString(),
    });
  }
}
