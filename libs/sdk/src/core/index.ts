/** What the frame (and tests) use: the chat without a UI. */
export { ChatCore } from './chat-core';
export type { AiAnswer, CoreOptions, FormField, IdentityInput, SendMessageInput, SessionView, TicketForm, UploadOptions } from './chat-core';
export type { LoggedMessage } from './message-log';
export { MessageLog, newestId } from './message-log';
export { backoffDelay, retryAfterMs } from './backoff';
export { HttpClient } from './http';
export { uploadFile } from './upload';
export type { UploadRequest } from './upload';
export { cachedBlobUrl, formatSize, isInlineImage, MAX_FILES_PER_MESSAGE, saveBlobUrl, UploadQueue, watchBlobUrl } from './upload-queue';
export type { BlobUrlState, QueuedFile, Uploader } from './upload-queue';
export { RealtimeConnection, REALTIME_PATH } from './realtime';
export type { ConnectionState, SocketEnvelope } from './realtime';
// One transport, two flavours: the visitor's (ChatCore) and the operator's (the inbox).
export { Transport } from './transport';
export type { Flavour, Route, TransportOptions } from './transport';
export { isSignedOut, OperatorApi, OperatorAuth } from './operator';
export type { ConversationChange, OperatorSession } from './operator';
export { SafeStorage } from './storage';
export { normalizeConfig } from './widget-config';
export type { AvailabilityView, WidgetView } from './widget-config';
export { SupportChatError } from '../errors';
export * from '../types';
