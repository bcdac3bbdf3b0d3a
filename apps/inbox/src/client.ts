import { OperatorApi, OperatorAuth, OperatorSession, SupportChatError } from '@widget/sdk/core';
import { io } from 'socket.io-client';

/**
 * The inbox stands on the SDK's transport, operator flavour (libs/sdk/src/core/operator.ts): the admin API on
 * this page's own origin, with the SDK's retries, error envelope (SupportChatError) and realtime connection.
 */
const connection = { apiBase: location.origin, io };

export const operatorAuth = new OperatorAuth(connection);

export const operatorApi = (session: OperatorSession): OperatorApi => new OperatorApi(session, connection);

/** A refusal (or anything else) in words for the operator, with its code and request id to report. */
export function describe(err: unknown, byCode: Record<string, string> = {}): string {
  if (err instanceof SupportChatError) {
    const text = byCode[err.code] ?? err.message;
    return err.requestId ? `${text} (${err.code}, request ${err.requestId})` : `${text} (${err.code})`;
  }
  return 'Something went wrong.';
}
