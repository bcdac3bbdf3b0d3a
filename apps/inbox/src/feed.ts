import { io, Socket } from 'socket.io-client';
import type { Conversation, Message, TypingPayload } from '@widget/contracts';
import { REALTIME_PATH } from '@widget/contracts/paths';
import { ApiError, OperatorApi } from './api';

export type FeedState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface FeedHandlers {
  state(state: FeedState, error?: ApiError): void;
  conversation(conversation: Conversation): void;
  message(conversation: Conversation, message: Message): void;
  typing(payload: TypingPayload, typing: boolean): void;
  /** After every (re)connect: refetch what events do not carry (the list, the open thread's tail). */
  resynced(): void;
}

interface Envelope<T> {
  id: string;
  type: string;
  createdAt: string;
  payload: T;
}

/**
 * The operator realtime feed (SPEC §10): one socket for the whole workspace.
 * Every connection attempt fetches a fresh short-lived token and passes the
 * newest message id seen, so the server replays what was missed; messages are
 * de-duplicated by id downstream.
 */
export class Feed {
  private socket: Socket | null = null;
  private lastMessageId: string | null = null;

  constructor(
    private readonly api: OperatorApi,
    private readonly on: FeedHandlers,
  ) {}

  start(lastMessageId: string | null): void {
    this.lastMessageId = lastMessageId;
    this.on.state('connecting');
    const socket = io(window.location.origin, {
      path: REALTIME_PATH,
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      auth: (cb) => {
        this.api.realtimeToken().then(
          ({ token }) => cb(this.lastMessageId ? { token, lastMessageId: this.lastMessageId } : { token }),
          (err: unknown) => {
            if (err instanceof ApiError) this.on.state('reconnecting', err);
            cb({ token: '' });
          },
        );
      },
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.on.state('live');
      this.on.resynced();
    });
    socket.on('disconnect', (reason) => {
      // A server-side disconnect is not retried by socket.io itself: the token may simply have expired, so try again.
      if (reason === 'io server disconnect') socket.connect();
      this.on.state('reconnecting');
    });
    socket.on('connect_error', (err: Error & { data?: { error?: { code: string; message: string; requestId?: string; recoverable?: boolean } } }) => {
      const e = err.data?.error;
      this.on.state('reconnecting', e ? new ApiError(e.code, e.message, 0, e.requestId ?? null, e.recoverable ?? true) : undefined);
      // socket.io gives up after a middleware refusal; keep trying, every attempt brings a fresh token.
      if (!socket.active) setTimeout(() => socket.connect(), 2000);
    });
    socket.on('message.created', (e: Envelope<{ conversation: Conversation; message: Message }>) => {
      this.seen(e.payload.message.id);
      this.on.conversation(e.payload.conversation);
      this.on.message(e.payload.conversation, e.payload.message);
    });
    socket.on('conversation.created', (e: Envelope<{ conversation: Conversation }>) => {
      this.seen(e.payload.conversation.lastMessage?.id);
      this.on.conversation(e.payload.conversation);
    });
    socket.on('conversation.updated', (e: Envelope<{ conversation: Conversation }>) => this.on.conversation(e.payload.conversation));
    socket.on('typing.start', (e: Envelope<TypingPayload>) => this.on.typing(e.payload, true));
    socket.on('typing.stop', (e: Envelope<TypingPayload>) => this.on.typing(e.payload, false));
  }

  /** Remembers the newest message id (from events and from HTTP reads) as the replay cursor. */
  seen(messageId: string | null | undefined): void {
    if (messageId && (!this.lastMessageId || messageId > this.lastMessageId)) this.lastMessageId = messageId;
  }

  stop(): void {
    this.socket?.disconnect();
    this.socket = null;
    this.on.state('offline');
  }
}
