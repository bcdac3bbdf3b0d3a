import { routeOf, WIDGET_ROUTE_PATHS as ROUTES } from '@widget/contracts/wire';
import { SupportChatError } from '../errors';
import type { Attachment, ChatEventType, Conversation, Message } from '../types';
import type { ChatSession } from './chat-session';
import type { CoreOptions, SendMessageInput, SessionView, UploadOptions } from './chat-types';
import type { ConversationApi } from './conversation-api';
import type { ConversationStore } from './conversation-store';
import type { Transport } from './transport';
import { cancelled, uploadFile } from './upload';

/** What sending needs of the chat around it. */
export interface OutboxHost {
  readonly options: CoreOptions;
  readonly transport: Transport;
  readonly auth: ChatSession;
  readonly store: ConversationStore;
  readonly api: ConversationApi;
  newId(): string;
  session(): SessionView | null;
  /** The page's context (setContext, update): the metadata of each message. */
  context(): Record<string, unknown>;
  startConversation(): Promise<Conversation>;
  loadMessages(conversationId: string): Promise<unknown>;
  /** A recoverable failure waits `delayMs` before the next attempt (null: no longer waiting). */
  waiting(error: SupportChatError | null, delayMs?: number): void;
  emit(type: ChatEventType, payload?: unknown): void;
  changed(): void;
}

/**
 * The visitor's sends: each message pending in its conversation's log until stored, files uploaded first
 * (with progress, cancellable), failures kept with what is still to upload so a retry sends the same
 * message, and the bytes of attachments read back with the session's token.
 */
export class Outbox {
  /** Files of a failed send not uploaded yet, by clientMessageId: a retry uploads them. */
  private readonly unsentFiles = new Map<string, File[]>();

  constructor(private readonly host: OutboxHost) {}

  clear(): void {
    this.unsentFiles.clear();
  }

  /**
   * Sends with one clientMessageId per composed message, kept across every
   * retry (automatic or the user's), so a flaky network never stores it twice.
   * Files are uploaded first, one after another, then the message names them.
   * `signal` cancels the send until the message itself is posted: the upload
   * in flight is aborted, the message leaves the list, and the promise
   * rejects with `cancelled`.
   */
  async send(input: SendMessageInput, options: { signal?: AbortSignal } = {}): Promise<Message> {
    const text = input.text ?? '';
    const files = input.files ?? [];
    const uploaded = input.attachments ?? [];
    if (!text.trim() && files.length === 0 && uploaded.length === 0) {
      throw new SupportChatError({ code: 'validation_error', message: 'A message needs text or at least one file.', recoverable: false });
    }
    if (options.signal?.aborted) throw cancelled();
    const { store, api } = this.host;
    const conversationId = input.conversationId ?? (await this.host.startConversation()).id;
    const clientMessageId = input.clientMessageId ?? this.host.newId();
    const log = store.log(conversationId);
    const session = this.host.session();
    const author = { type: 'user' as const, id: session?.user?.id ?? null, name: session?.user?.name ?? null };
    const pending = log.addPending(conversationId, clientMessageId, text, author);
    // Until uploaded, a file shows by its name and size (no url yet).
    pending.attachments = [...uploaded, ...files.map((file, i) => ({ id: `pending:${clientMessageId}:${i}`, name: fileName(file), contentType: file.type, size: file.size, url: '' }))];
    const conversation = store.conversations.get(conversationId);
    this.host.emit('message:sending', { conversation: conversation ?? { id: conversationId }, message: pending });
    this.host.changed();
    const attachments = [...uploaded];
    const left = [...files];
    try {
      while (left.length) {
        attachments.push(await this.upload(conversationId, left[0]!, { signal: options.signal }));
        left.shift();
      }
      if (options.signal?.aborted) throw cancelled();
      const body: Record<string, unknown> = { clientMessageId };
      if (text.trim()) body.text = text;
      if (attachments.length) body.attachmentIds = attachments.map((a) => a.id);
      const context = this.host.context();
      if (Object.keys(context).length) body.metadata = context;
      const message = await api.send(conversationId, body, (error, delayMs) => this.host.waiting(error, delayMs));
      this.host.waiting(null);
      this.unsentFiles.delete(clientMessageId);
      log.upsert(message);
      store.seen(message.id);
      this.host.emit('message:sent', { conversation: store.conversations.get(conversationId) ?? { id: conversationId }, message });
      this.host.changed();
      return message;
    } catch (err) {
      const error = SupportChatError.from(err);
      this.host.waiting(null);
      if (error.code === 'cancelled') {
        log.drop(clientMessageId);
        this.unsentFiles.delete(clientMessageId);
      } else {
        // A retry sends what was uploaded and uploads only the rest.
        pending.attachments = [...attachments, ...pending.attachments.slice(uploaded.length + files.length - left.length)];
        if (left.length) this.unsentFiles.set(clientMessageId, left);
        else this.unsentFiles.delete(clientMessageId);
        log.fail(clientMessageId, { code: error.code, message: error.message, retryInMs: error.retryAfter ? error.retryAfter * 1000 : undefined });
        this.host.emit('message:failed', { conversation: conversation ?? { id: conversationId }, error: error.toJSON() });
      }
      this.host.changed();
      throw error;
    }
  }

  /** The user's retry of a failed message: same text, same attachments, same clientMessageId. */
  retry(conversationId: string, clientMessageId: string): Promise<Message> {
    const entry = this.host.store.log(conversationId).byClientMessageId(clientMessageId);
    if (!entry) return Promise.reject(new SupportChatError({ code: 'validation_error', message: 'Nothing to retry.', recoverable: false }));
    const attachments = (entry.attachments ?? []).filter((a) => !a.id.startsWith('pending:'));
    return this.send({ conversationId, text: entry.text, attachments, files: this.unsentFiles.get(clientMessageId), clientMessageId });
  }

  /**
   * Uploads one file to a conversation (`POST …/attachments`, multipart, one
   * part named `file`) and resolves with the attachment to name in
   * sendMessage. The server decides by content whether it takes the file;
   * a refusal rejects with its code (`attachment_too_large`,
   * `unsupported_file_type`, …).
   */
  upload(conversationId: string, file: File, options: UploadOptions = {}): Promise<Attachment> {
    const name = fileName(file);
    const url = new URL(routeOf(ROUTES.uploadAttachment, { id: conversationId }).path, this.host.options.apiBase).toString();
    return this.host.auth.withToken((token) =>
      uploadFile<Attachment>({
        url,
        token,
        file,
        name,
        signal: options.signal,
        xhr: this.host.options.xhr,
        onProgress: (loaded, total) => {
          options.onProgress?.(loaded, total);
          this.host.emit('upload:progress', { conversationId, name, loaded, total });
        },
      }),
    );
  }

  /**
   * The bytes of a message's attachment: its signed url, read with the
   * session's token (only the owning session may). A link past its time
   * (401 `link_expired`) is renewed once by reading the conversation's
   * messages again.
   */
  async blob(conversationId: string, attachment: Attachment): Promise<Blob> {
    const get = (url: string) => this.host.auth.withToken((token) => this.host.transport.http.request<Blob>('GET', url, { token, as: 'blob' }));
    try {
      return await get(attachment.url);
    } catch (err) {
      const error = SupportChatError.from(err);
      if (error.reason !== 'link_expired') throw error;
      await this.host.loadMessages(conversationId);
      const fresh = this.host.store
        .messages(conversationId)
        .flatMap((m) => m.attachments ?? [])
        .find((a) => a.id === attachment.id);
      if (!fresh || fresh.url === attachment.url) throw error;
      return get(fresh.url);
    }
  }
}

function fileName(file: Blob): string {
  return (file as File).name || 'file';
}
