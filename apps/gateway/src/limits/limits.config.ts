import { limitStoreEnv, rateEnv } from '@widget/common';
import { z } from 'zod';

/**
 * The gateway's limits of docs/limits.md, one env variable each, and the Redis
 * they are counted in (libs/common/src/limits: the store and the realtime
 * service's RATE_LIMIT_ADDRESS_REALTIME are defined there, for both apps).
 */
export const limitsEnv = {
  ...limitStoreEnv,
  /** Widget requests from one client address without a valid session (made-up tokens included). */
  RATE_LIMIT_ADDRESS: rateEnv('300/1m'),
  /** Session creation (anonymous start, identify) per client address. */
  RATE_LIMIT_ADDRESS_SESSIONS: rateEnv('60/1m'),
  /** Demo mode only: identity tokens from POST /demo/identity-token per client address. */
  RATE_LIMIT_ADDRESS_DEMO_TOKENS: rateEnv('10/1m'),
  /** Widget requests per session, any route. */
  RATE_LIMIT_SESSION: rateEnv('600/1m'),
  RATE_LIMIT_SESSION_CONVERSATIONS: rateEnv('20/1h'),
  RATE_LIMIT_SESSION_MESSAGES: rateEnv('60/1m'),
  RATE_LIMIT_SESSION_SUBMISSIONS: rateEnv('10/1h'),
  RATE_LIMIT_SESSION_AI_ANSWERS: rateEnv('30/1h'),
  /** Transcripts by email per session (issue 22: each is a mail to the visitor's address). */
  RATE_LIMIT_SESSION_TRANSCRIPTS: rateEnv('5/1h'),
  /**
   * AI answers per client address in one workspace: an address's share of the workspace's daily
   * quota, so one client (however many sessions it opens) cannot spend it for everyone.
   */
  RATE_LIMIT_ADDRESS_AI_ANSWERS: rateEnv('100/1d'),
  /** Attachment uploads per session (SPEC §13). */
  RATE_LIMIT_SESSION_UPLOADS: rateEnv('30/1h'),
  /** Bytes of attachment uploads per session, counted by each upload's Content-Length. */
  RATE_LIMIT_SESSION_UPLOAD_BYTES: rateEnv('104857600/1h'),
  /** Events per session, counted one point per event in the batch. */
  RATE_LIMIT_SESSION_EVENTS: rateEnv('600/1m'),
  /** Bytes of event batches per session. */
  RATE_LIMIT_SESSION_EVENT_BYTES: rateEnv('1048576/1m'),
  /** AI answers per workspace per UTC calendar day (a configured language model costs money). */
  RATE_LIMIT_WORKSPACE_AI_ANSWERS_PER_DAY: z.coerce.number().int().min(1).default(2000),
  /** Failed operator logins per client address (SPEC §14); once spent, every login from it is 429 until the window ends. */
  RATE_LIMIT_LOGIN_FAILURES_ADDRESS: rateEnv('20/15m'),
  /** Failed operator logins per email, whatever the address (a spread-out guess at one account). */
  RATE_LIMIT_LOGIN_FAILURES_EMAIL: rateEnv('20/15m'),
  /** Operator API requests per admin key (integrations post for many conversations). */
  RATE_LIMIT_ADMIN: rateEnv('6000/1m'),
};

export type LimitName =
  | 'address'
  | 'addressSessions'
  | 'addressDemoTokens'
  | 'session'
  | 'conversations'
  | 'messages'
  | 'submissions'
  | 'transcripts'
  | 'aiAnswers'
  | 'addressAiAnswers'
  | 'uploads'
  | 'uploadBytes'
  | 'events'
  | 'eventBytes'
  | 'workspaceAiAnswers'
  | 'admin'
  | 'loginAddress'
  | 'loginEmail';
