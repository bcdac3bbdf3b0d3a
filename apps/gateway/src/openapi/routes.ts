import {
  personSelector,
  workspacePatchBody,
  acceptInviteBody,
  apiKeyCreateBody,
  loginBody,
  memberCreateBody,
  memberPatchBody,
  teamCreateBody,
  presenceBody,
  adminArticlesQuery,
  adminConversationsQuery,
  adminMessageBody,
  adminPatchConversationBody,
  adminTypingBody,
  anonymousSessionBody,
  answerBody,
  attachmentLinkQuery,
  articleCreateBody,
  articlePatchBody,
  collectionBody,
  configQuery,
  createConversationBody,
  createFormBody,
  escalateBody,
  eventCountsQuery,
  identifyBody,
  ingestBody,
  messagesQuery,
  pageQuery,
  readBody,
  searchQuery,
  sendMessageBody,
  submissionBody,
  synonymsBody,
  updateFormBody,
  updateSessionBody,
  widgetCreateSchema,
  widgetPatchSchema,
  workspaceBody,
  REALTIME_PATH,
} from '@widget/contracts';
import type { ZodTypeAny } from 'zod';
import { oidcStartQuery } from '../sso/return-to';

export type Api = 'widget' | 'admin';
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDoc {
  api: Api;
  method: Method;
  /** Below the API's base path, fastify style (`/conversations/:id`). */
  path: string;
  summary: string;
  body?: ZodTypeAny;
  query?: ZodTypeAny;
  /** Success status (default 200). */
  status?: number;
  /** `none`: no token; `session` (widget default) or `admin` (admin default): a Bearer token. */
  auth?: 'none' | 'session' | 'admin';
  /** Honours the Idempotency-Key header (SPEC §9). */
  idempotent?: boolean;
  /** A project extension, not in the upstream reference. */
  extension?: boolean;
  /** The body is multipart/form-data with one file part, `file` (attachments). */
  upload?: boolean;
  /** The reply is the bytes of a file (200, or 206 for a range), not JSON. */
  download?: boolean;
}

const w = (method: Method, path: string, summary: string, more: Partial<RouteDoc> = {}): RouteDoc => ({ api: 'widget', method, path, summary, ...more });
const a = (method: Method, path: string, summary: string, more: Partial<RouteDoc> = {}): RouteDoc => ({ api: 'admin', method, path, summary, ...more });

/**
 * Every JSON route of /widget/v1 and /admin/v1, one line each: adding a route
 * to the gateway means adding its line here (test/openapi.e2e-spec.ts fails
 * otherwise). Bodies and queries are the zod schemas the gateway validates with.
 */
export const ROUTES: RouteDoc[] = [
  w('GET', '/config', 'The end-user-safe widget config', { query: configQuery, auth: 'none' }),
  w('GET', '/openapi.json', 'This document', { auth: 'none', extension: true }),
  w('POST', '/sessions/anonymous', 'Start (201) or resume (200) an anonymous session', { body: anonymousSessionBody, status: 201, auth: 'none' }),
  w('POST', '/sessions/identify', 'Identify with an identity JWT, or { user } where the widget allows it', { body: identifyBody }),
  w('PATCH', '/sessions/current', "The SDK's update(): profile and traits", { body: updateSessionBody }),
  w('POST', '/sessions/refresh', 'Slide the session expiry'),
  w('POST', '/sessions/shutdown', 'Revoke the session token', { status: 204 }),
  w('POST', '/sessions/realtime-token', 'A short-lived token for the realtime socket'),
  w('GET', '/conversations', "The session's conversations, newest activity first", { query: pageQuery }),
  w('POST', '/conversations', 'Open a conversation (201; 200 for a retried clientMessageId)', { body: createConversationBody, status: 201 }),
  w('GET', '/conversations/:id', 'One conversation'),
  w('POST', '/conversations/:id/attachments', 'Upload one file (multipart, part "file") into a conversation, to send with a message (SPEC §13)', { upload: true, status: 201 }),
  w('GET', '/attachments/:id', "An attachment's bytes through its signed link (the owning session's token)", { query: attachmentLinkQuery, download: true }),
  w('POST', '/conversations/:id/read', 'Mark read', { body: readBody }),
  w('GET', '/conversations/:id/messages', 'Messages, newest first (or after a message, oldest first)', { query: messagesQuery }),
  w('POST', '/conversations/:id/messages', 'Send a message (201; 200 for a retried clientMessageId)', { body: sendMessageBody, status: 201 }),
  w('POST', '/conversations/:id/escalate', 'From an AI answer to a person: the system message for the agent', { body: escalateBody, status: 201, extension: true }),
  w('GET', '/articles/search', 'Search published articles', { query: searchQuery }),
  w('GET', '/articles/:id', 'One published article'),
  w('POST', '/ai/answer', 'An AI answer from the articles', { body: answerBody }),
  w('GET', '/forms', "The widget's visible forms"),
  w('GET', '/forms/:id', 'One visible form'),
  w('POST', '/forms/:id/submissions', 'Submit a form (opens a ticket conversation)', { body: submissionBody, status: 201 }),
  w('POST', '/events', 'Analytics events', { body: ingestBody, status: 202 }),

  a('GET', '/openapi.json', 'This document', { auth: 'none', extension: true }),
  a('POST', '/workspaces', 'Create a workspace', { body: workspaceBody, status: 201, idempotent: true }),
  a('POST', '/workspaces/:ws/widgets', 'Create a widget from a full or partial WidgetConfig', { body: widgetCreateSchema, status: 201, idempotent: true }),
  a('GET', '/widgets/:id', 'One widget'),
  a('PATCH', '/widgets/:id', 'Deep-merge a partial WidgetConfig', { body: widgetPatchSchema }),
  a('POST', '/widgets/:id/rotate-secret', 'A new JWT secret; the old one stops verifying'),
  a('POST', '/workspaces/:ws/realtime-token', 'A short-lived operator realtime token', { extension: true }),
  a('POST', '/workspaces/:ws/collections', 'Create a collection', { body: collectionBody, status: 201, idempotent: true }),
  a('GET', '/workspaces/:ws/collections', 'Collections of the workspace', { query: pageQuery, extension: true }),
  a('POST', '/workspaces/:ws/articles', 'Create an article', { body: articleCreateBody, status: 201, idempotent: true }),
  a('GET', '/workspaces/:ws/articles', 'Articles of the workspace', { query: adminArticlesQuery, extension: true }),
  a('GET', '/workspaces/:ws/synonyms', 'The search synonym groups', { extension: true }),
  a('PUT', '/workspaces/:ws/synonyms', 'Replace the search synonym groups', { body: synonymsBody, extension: true }),
  a('GET', '/articles/:id', 'One article', { extension: true }),
  a('PATCH', '/articles/:id', 'Change an article', { body: articlePatchBody }),
  a('POST', '/workspaces/:ws/forms', 'Create a form', { body: createFormBody, status: 201, idempotent: true }),
  a('GET', '/forms/:id', 'One form', { extension: true }),
  a('PATCH', '/forms/:id', 'Change a form', { body: updateFormBody, extension: true }),
  a('GET', '/workspaces/:ws/conversations', "The workspace's conversations", { query: adminConversationsQuery }),
  a('GET', '/conversations/:id', 'One conversation with the visitor behind it (the inbox)', { extension: true }),
  a('GET', '/conversations/:id/messages', 'A thread, newest first (or after a message, oldest first)', { query: messagesQuery, extension: true }),
  a('POST', '/conversations/:id/messages', 'Post an agent or bot message', { body: adminMessageBody, status: 201, idempotent: true }),
  a('POST', '/conversations/:id/attachments', 'Upload one file (multipart, part "file") for an agent reply (SPEC §13)', { upload: true, status: 201 }),
  a('GET', '/workspaces/:ws/attachments/:id', "An attachment's bytes through its signed link (the message's url query)", { query: attachmentLinkQuery, download: true }),
  a('PATCH', '/conversations/:id', 'Status and assignee', { body: adminPatchConversationBody }),
  a('POST', '/conversations/:id/typing', 'Agent typing', { body: adminTypingBody, status: 204 }),
  a('GET', '/workspaces/:ws/events/counts', 'Event counts by type', { query: eventCountsQuery, extension: true }),
  // SPEC §14: accounts, roles, keys, teams, the audit log.
  a('POST', '/auth/login', 'Sign in with email and password: an operator token', { body: loginBody, auth: 'none', extension: true }),
  a('POST', '/auth/accept-invite', 'Accept an invitation (sets the password of a new account): an operator token', { body: acceptInviteBody, auth: 'none', extension: true }),
  a('POST', '/auth/logout', 'End this operator token on every replica', { status: 204, extension: true }),
  a('GET', '/auth/options', 'How operators may sign in here: { sso } (single sign-on configured)', { auth: 'none', extension: true }),
  a('GET', '/auth/oidc/start', 'Single sign-on: 302 to the OpenID provider (404 sso_not_configured without OIDC_*)', { query: oidcStartQuery, status: 302, auth: 'none', extension: true }),
  a('GET', '/auth/oidc/callback', "Single sign-on: the provider's answer; 302 to returnTo with #operator_token=…&expires_at=…", { status: 302, auth: 'none', extension: true }),
  a('GET', '/me', 'Who the token is: the account and its memberships, or the key', { extension: true }),
  a('POST', '/workspaces/:ws/members', 'Invite a member (the invitation token is shown once)', { body: memberCreateBody, status: 201, idempotent: true, extension: true }),
  a('GET', '/workspaces/:ws/members', "The workspace's members, each with its presence", { extension: true }),
  a('PATCH', '/workspaces/:ws/members/:id', "Change a member's role", { body: memberPatchBody, extension: true }),
  a('DELETE', '/workspaces/:ws/members/:id', 'Remove a member (never the last owner)', { status: 204, extension: true }),
  a('PUT', '/workspaces/:ws/presence', "The caller's presence: online or away (operator accounts only)", { body: presenceBody, extension: true }),
  a('POST', '/workspaces/:ws/api-keys', 'Create a workspace API key (the secret is shown once)', { body: apiKeyCreateBody, status: 201, idempotent: true, extension: true }),
  a('GET', '/workspaces/:ws/api-keys', "The workspace's API keys, without secrets", { extension: true }),
  a('DELETE', '/workspaces/:ws/api-keys/:id', 'Revoke an API key at once', { status: 204, extension: true }),
  a('POST', '/workspaces/:ws/teams', 'Create a team of members (routing)', { body: teamCreateBody, status: 201, idempotent: true, extension: true }),
  a('GET', '/workspaces/:ws/teams', "The workspace's teams", { extension: true }),
  // SPEC §17: privacy.
  a('PATCH', '/workspaces/:ws', "The workspace's name and retention settings", { body: workspacePatchBody, extension: true }),
  a('POST', '/workspaces/:ws/erasures', 'Erase one person (userId, sessionId or email): 202, finished by every service in the background', { body: personSelector, status: 202, extension: true }),
  a('GET', '/workspaces/:ws/erasures/:id', 'An erasure and the state of each service’s part', { extension: true }),
  a('GET', '/workspaces/:ws/visitors/export', 'Everything held about one person, as one JSON document (streamed)', { query: personSelector, extension: true }),
  a('GET', '/workspaces/:ws/audit-log', 'The audit log, newest first', { query: pageQuery, extension: true }),
];

/**
 * Routes the gateway serves that are not JSON API routes, so not in the
 * document: probes, metrics, CORS preflight, static files. Add a static route
 * (widget.js, frame, demo…) here, one pattern a line.
 */
export const UNDOCUMENTED_ROUTES: RegExp[] = [
  /^(GET|HEAD) \/health\//,
  /^OPTIONS /,
  /^\w+ \/widget\/v1\/realtime(\/\*)?$/, // the realtime proxy (socket.io and plain WebSocket): docs/realtime.md
  /^HEAD /, // fastify adds HEAD beside every GET
  // The realtime proxy (socket.io polling and upgrades, the plain WebSocket): a socket endpoint, described in docs/realtime.md.
  new RegExp(`^[A-Z]+ ${REALTIME_PATH}(/\\*)?$`),
  // The browser face (apps/gateway/src/static): the loader, the frame and its assets, the demo site; not JSON APIs.
  /^GET \/widget\/v1\/(widget(\.[0-9a-f]{12})?\.js|frame|assets\/[^/]+)$/,
  /^(GET|POST) \/demo(\/|$)/,
  /^GET \/inbox(\/|$)/, // the inbox page (apps/inbox), a page set
  /^GET \/(favicon\.ico)?$/, // the root (a redirect to the demo or the inbox) and the browsers' favicon request
];
