/** The ES module build, for sites that bundle: the same createChat the loader exposes. */
export { createChat, VERSION as version } from './host';
export type { SupportChatInstance } from './host';
export { SupportChatError } from './errors';
export type { ErrorFields, ClientErrorCode } from './errors';
export * from './types';
