import { ERROR_CATALOGUE, ErrorCode } from './errors';

/**
 * The route table of both HTTP APIs, the part without schemas (no zod: the
 * browser SDK and the inbox import it through `@widget/contracts/wire`).
 * `routes.ts` adds each route's body, query and reply schemas under the same
 * key, and the gateway's controllers (`@Route(ROUTES.widget.sendMessage)`),
 * the OpenAPI documents and the registered-route check all read the result,
 * so a route's method, path, statuses and access are written here once.
 * docs/api.md, "The contract document (OpenAPI)", says how to add a route.
 */

export const WIDGET_BASE = 'widget/v1';
export const ADMIN_BASE = 'admin/v1';

export type Api = 'widget' | 'admin';
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** `none`: no token; `session`: a widget session token; `optional`: a session token or none; `admin`: an operator token, API key or the root key. */
export type RouteAuth = 'none' | 'session' | 'optional' | 'admin';
/** What a widget route costs beyond the per-session request budget (docs/limits.md). */
export type LimitActionName = 'sessionStart' | 'conversations' | 'messages' | 'submissions' | 'aiAnswers' | 'uploads' | 'events' | 'transcripts';
/** The widget feature switch a route needs (a key of WidgetConfig['features']; refused with widget_disabled, reason feature_disabled). */
export type RouteFeature = 'conversations' | 'attachments' | 'knowledgeBase' | 'aiAnswers' | 'ticketForms' | 'events';

export interface RoutePath {
  api: Api;
  method: Method;
  /** Below the API's base path, fastify style (`/conversations/:id`). */
  path: string;
  summary: string;
  /** Success statuses, the usual one first (the one the route answers unless it says otherwise). */
  status: readonly number[];
  auth: RouteAuth;
  /** Honours the Idempotency-Key header (SPEC §9). */
  idempotent?: boolean;
  limit?: LimitActionName;
  feature?: RouteFeature;
  /** A project extension, not in the upstream reference. */
  extension?: boolean;
  /** The body is multipart/form-data with one file part, `file` (attachments). */
  upload?: boolean;
  /** The reply is the bytes of a file (200, or 206 for a range), not JSON. */
  download?: boolean;
  /** Error codes this route answers beyond those every route of its kind does (see `errorStatuses`). */
  errors?: readonly ErrorCode[];
}

type Options = Omit<RoutePath, 'api' | 'method' | 'path' | 'summary' | 'status' | 'auth'> & { status?: readonly number[]; auth?: RouteAuth };

// No side effects: a browser bundle that reads one API's routes drops the other table.
/* @__NO_SIDE_EFFECTS__ */ function widget(method: Method, path: string, summary: string, more: Options = {}): RoutePath {
  return { api: 'widget', method, path, summary, status: [200], auth: 'session', ...more };
}
/* @__NO_SIDE_EFFECTS__ */ function admin(method: Method, path: string, summary: string, more: Options = {}): RoutePath {
  return { api: 'admin', method, path, summary, status: [200], auth: 'admin', ...more };
}

const CREATED_OR_RETRIED = [201, 200] as const;
const conversations = { feature: 'conversations', errors: ['conversation_not_found'] } as const;

/** Every route of /widget/v1, by operationId. */
export const WIDGET_ROUTE_PATHS = {
  getOpenApi: widget('GET', '/openapi.json', 'This document', { auth: 'none', extension: true }),
  getConfig: widget('GET', '/config', 'The end-user-safe widget config', { auth: 'none', errors: ['not_found'] }),
  startAnonymousSession: widget('POST', '/sessions/anonymous', 'Start (201) or resume (200: the Bearer session of the same widget) an anonymous session', {
    status: CREATED_OR_RETRIED,
    auth: 'none',
    limit: 'sessionStart',
    errors: ['not_found'],
  }),
  identify: widget('POST', '/sessions/identify', 'Identify with an identity JWT, or { user } where the widget allows it', {
    auth: 'optional',
    limit: 'sessionStart',
    errors: ['not_found'],
  }),
  updateSession: widget('PATCH', '/sessions/current', "The SDK's update(): profile and traits"),
  refreshSession: widget('POST', '/sessions/refresh', 'Slide the session expiry'),
  shutdownSession: widget('POST', '/sessions/shutdown', 'Revoke the session token', { status: [204] }),
  createRealtimeToken: widget('POST', '/sessions/realtime-token', 'A short-lived token for the realtime socket'),
  listConversations: widget('GET', '/conversations', "The session's conversations, newest activity first", { feature: 'conversations' }),
  createConversation: widget('POST', '/conversations', 'Open a conversation (201; 200 with the first one for a retried clientMessageId)', {
    status: CREATED_OR_RETRIED,
    limit: 'conversations',
    feature: 'conversations',
    errors: ['message_invalid'],
  }),
  getConversation: widget('GET', '/conversations/:id', 'One conversation', conversations),
  uploadAttachment: widget('POST', '/conversations/:id/attachments', 'Upload one file (multipart, part "file") into a conversation, to send with a message (SPEC §13)', {
    status: [201],
    upload: true,
    limit: 'uploads',
    feature: 'attachments',
    errors: ['conversation_not_found', 'unsupported_file_type'],
  }),
  downloadAttachment: widget('GET', '/attachments/:id', "An attachment's bytes through its signed link (the owning session's token)", {
    status: [200, 206],
    download: true,
    errors: ['not_found'],
  }),
  markConversationRead: widget('POST', '/conversations/:id/read', 'Mark read', conversations),
  listMessages: widget('GET', '/conversations/:id/messages', 'Messages, newest first (or after a message, oldest first)', conversations),
  sendMessage: widget('POST', '/conversations/:id/messages', 'Send a message (201; 200 with the first one for a retried clientMessageId)', {
    status: CREATED_OR_RETRIED,
    limit: 'messages',
    feature: 'conversations',
    errors: ['conversation_not_found', 'message_invalid'],
  }),
  escalateConversation: widget('POST', '/conversations/:id/escalate', 'From an AI answer to a person: the system message for the agent (201 posted; 200 when nothing is posted or the escalation exists)', {
    status: CREATED_OR_RETRIED,
    limit: 'messages',
    feature: 'conversations',
    extension: true,
    errors: ['conversation_not_found'],
  }),
  searchArticles: widget('GET', '/articles/search', 'Search published articles', { feature: 'knowledgeBase' }),
  getArticle: widget('GET', '/articles/:id', 'One published article', { feature: 'knowledgeBase', errors: ['article_not_found'] }),
  answerQuestion: widget('POST', '/ai/answer', 'An AI answer from the articles', { limit: 'aiAnswers', errors: ['conversation_not_found'] }),
  listForms: widget('GET', '/forms', "The widget's visible forms", { feature: 'ticketForms' }),
  getForm: widget('GET', '/forms/:id', 'One visible form', { feature: 'ticketForms', errors: ['form_not_found'] }),
  submitForm: widget('POST', '/forms/:id/submissions', 'Submit a form: a ticket conversation (201; 200 with the first result for a retried clientSubmissionId)', {
    status: CREATED_OR_RETRIED,
    limit: 'submissions',
    feature: 'ticketForms',
    errors: ['form_not_found'],
  }),
  ingestEvents: widget('POST', '/events', 'Analytics events (each checked on its own: rejected by index)', { status: [202], limit: 'events', feature: 'events' }),
  // SPEC §15 (issue 22): email.
  requestTranscript: widget('POST', '/conversations/:id/transcript', "Email the conversation to the visitor's known email (202: queued)", {
    ...conversations,
    status: [202],
    limit: 'transcripts',
  }),
  unsubscribeEmail: widget('GET', '/email/unsubscribe', 'The link in every visitor mail: no more email about that conversation', {
    auth: 'none',
    extension: true,
    errors: ['not_found'],
  }),
} as const satisfies Record<string, RoutePath>;

/** A role route: 403 forbidden below the role in the caller's workspace, 404 outside it. */
const role = { errors: ['forbidden', 'not_found'] } as const;
const onConversation = { errors: ['forbidden', 'not_found', 'conversation_not_found'] } as const;

/** Every route of /admin/v1, by operationId (built in a pure function: its spreads would keep it in a bundle that reads only the widget's routes). */
export const ADMIN_ROUTE_PATHS = /* @__PURE__ */ (() =>
  ({
  getOpenApi: admin('GET', '/openapi.json', 'This document', { auth: 'none', extension: true }),
  createWorkspace: admin('POST', '/workspaces', 'Create a workspace (the root key)', { status: [201], idempotent: true, errors: ['forbidden'] }),
  patchWorkspace: admin('PATCH', '/workspaces/:ws', "The workspace's name and retention settings", { ...role, extension: true }),
  createWidget: admin('POST', '/workspaces/:ws/widgets', 'Create a widget from a full or partial WidgetConfig', { ...role, status: [201], idempotent: true }),
  getWidget: admin('GET', '/widgets/:id', 'One widget', role),
  listWidgets: admin('GET', '/workspaces/:ws/widgets', "The workspace's widgets, oldest first", { ...role, extension: true }),
  patchWidget: admin('PATCH', '/widgets/:id', 'Deep-merge a partial WidgetConfig', role),
  rotateWidgetSecret: admin('POST', '/widgets/:id/rotate-secret', 'A new JWT secret; the old one stops verifying', role),
  createOperatorRealtimeToken: admin('POST', '/workspaces/:ws/realtime-token', 'A short-lived operator realtime token', { ...role, extension: true }),
  createCollection: admin('POST', '/workspaces/:ws/collections', 'Create a collection', { ...role, status: [201], idempotent: true }),
  listCollections: admin('GET', '/workspaces/:ws/collections', 'Collections of the workspace', { ...role, extension: true }),
  createArticle: admin('POST', '/workspaces/:ws/articles', 'Create an article', { ...role, status: [201], idempotent: true }),
  listArticles: admin('GET', '/workspaces/:ws/articles', 'Articles of the workspace', { ...role, extension: true }),
  getSynonyms: admin('GET', '/workspaces/:ws/synonyms', 'The search synonym groups', { ...role, extension: true }),
  putSynonyms: admin('PUT', '/workspaces/:ws/synonyms', 'Replace the search synonym groups', { ...role, extension: true }),
  getArticle: admin('GET', '/articles/:id', 'One article', { errors: ['forbidden', 'not_found', 'article_not_found'], extension: true }),
  patchArticle: admin('PATCH', '/articles/:id', 'Change an article', { errors: ['forbidden', 'not_found', 'article_not_found'] }),
  createForm: admin('POST', '/workspaces/:ws/forms', 'Create a form', { ...role, status: [201], idempotent: true }),
  getForm: admin('GET', '/forms/:id', 'One form', { errors: ['forbidden', 'not_found', 'form_not_found'], extension: true }),
  patchForm: admin('PATCH', '/forms/:id', 'Change a form', { errors: ['forbidden', 'not_found', 'form_not_found'], extension: true }),
  listConversations: admin('GET', '/workspaces/:ws/conversations', "The workspace's conversations (view: all, mine, unassigned)", role),
  getConversationCounts: admin('GET', '/workspaces/:ws/conversations/counts', 'How many conversations each view holds (all, mine, unassigned)', {
    ...role,
    extension: true,
  }),
  // Issue 21: canned replies (agents list them; owners and admins manage them).
  listCannedReplies: admin('GET', '/workspaces/:ws/canned-replies', "The workspace's canned replies, by shortcut (q: search)", { ...role, extension: true }),
  createCannedReply: admin('POST', '/workspaces/:ws/canned-replies', 'Create a canned reply', { ...role, status: [201], idempotent: true, extension: true }),
  patchCannedReply: admin('PATCH', '/workspaces/:ws/canned-replies/:id', 'Change a canned reply', { ...role, extension: true }),
  deleteCannedReply: admin('DELETE', '/workspaces/:ws/canned-replies/:id', 'Delete a canned reply', { ...role, status: [204], extension: true }),
  getConversation: admin('GET', '/conversations/:id', 'One conversation with the visitor behind it (the inbox)', { ...onConversation, extension: true }),
  listMessages: admin('GET', '/conversations/:id/messages', 'A thread, newest first (or after a message, oldest first)', { ...onConversation, extension: true }),
  postMessage: admin('POST', '/conversations/:id/messages', 'Post an agent or bot message', {
    status: [201],
    idempotent: true,
    errors: [...onConversation.errors, 'message_invalid'],
  }),
  uploadAttachment: admin('POST', '/conversations/:id/attachments', 'Upload one file (multipart, part "file") for an agent reply (SPEC §13)', {
    status: [201],
    upload: true,
    errors: [...onConversation.errors, 'unsupported_file_type'],
  }),
  downloadAttachment: admin('GET', '/workspaces/:ws/attachments/:id', "An attachment's bytes through its signed link (the message's url query)", {
    ...role,
    status: [200, 206],
    download: true,
  }),
  patchConversation: admin('PATCH', '/conversations/:id', 'Status and assignee', onConversation),
  setTyping: admin('POST', '/conversations/:id/typing', 'Agent typing', { ...onConversation, status: [204] }),
  getEventCounts: admin('GET', '/workspaces/:ws/events/counts', 'Event counts by type', { ...role, extension: true }),
  // SPEC §14: accounts, roles, keys, teams, the audit log.
  login: admin('POST', '/auth/login', 'Sign in with email and password: an operator token', { auth: 'none', extension: true }),
  acceptInvite: admin('POST', '/auth/accept-invite', 'Accept an invitation (sets the password of a new account): an operator token', { auth: 'none', extension: true }),
  logout: admin('POST', '/auth/logout', 'End this operator token on every replica', { status: [204], extension: true }),
  getAuthOptions: admin('GET', '/auth/options', 'How operators may sign in here: { sso } (single sign-on configured)', { auth: 'none', extension: true }),
  startOidc: admin('GET', '/auth/oidc/start', 'Single sign-on: 302 to the OpenID provider (404 sso_not_configured without OIDC_*)', {
    status: [302],
    auth: 'none',
    extension: true,
    errors: ['not_found'],
  }),
  oidcCallback: admin('GET', '/auth/oidc/callback', "Single sign-on: the provider's answer; 302 to returnTo with #operator_token=…&expires_at=…", {
    status: [302],
    auth: 'none',
    extension: true,
    errors: ['not_found', 'invalid_token'],
  }),
  getMe: admin('GET', '/me', 'Who the token is: the account and its memberships, or the key', { extension: true }),
  inviteMember: admin('POST', '/workspaces/:ws/members', 'Invite a member (the invitation token is shown once)', { ...role, status: [201], idempotent: true, extension: true }),
  listMembers: admin('GET', '/workspaces/:ws/members', "The workspace's members, each with its presence", { ...role, extension: true }),
  patchMember: admin('PATCH', '/workspaces/:ws/members/:id', "Change a member's role", { ...role, extension: true }),
  removeMember: admin('DELETE', '/workspaces/:ws/members/:id', 'Remove a member (never the last owner)', { ...role, status: [204], extension: true }),
  setPresence: admin('PUT', '/workspaces/:ws/presence', "The caller's presence: online or away (operator accounts only)", { ...role, extension: true }),
  setNotifications: admin('PUT', '/workspaces/:ws/notifications', "The caller's email notifications (issue 22): a new conversation while nobody is present (operator accounts only)", {
    ...role,
    extension: true,
  }),
  createApiKey: admin('POST', '/workspaces/:ws/api-keys', 'Create a workspace API key (the secret is shown once)', { ...role, status: [201], idempotent: true, extension: true }),
  listApiKeys: admin('GET', '/workspaces/:ws/api-keys', "The workspace's API keys, without secrets", { ...role, extension: true }),
  revokeApiKey: admin('DELETE', '/workspaces/:ws/api-keys/:id', 'Revoke an API key at once', { ...role, status: [204], extension: true }),
  createTeam: admin('POST', '/workspaces/:ws/teams', 'Create a team of members (routing)', { ...role, status: [201], idempotent: true, extension: true }),
  listTeams: admin('GET', '/workspaces/:ws/teams', "The workspace's teams", { ...role, extension: true }),
  getAuditLog: admin('GET', '/workspaces/:ws/audit-log', 'The audit log, newest first', { ...role, extension: true }),
  // SPEC §17: privacy.
  requestErasure: admin('POST', '/workspaces/:ws/erasures', 'Erase one person (userId, sessionId or email): 202, finished by every service in the background', {
    ...role,
    status: [202],
    extension: true,
  }),
  getErasure: admin('GET', '/workspaces/:ws/erasures/:id', "An erasure and the state of each service's part", { ...role, extension: true }),
  exportVisitor: admin('GET', '/workspaces/:ws/visitors/export', 'Everything held about one person, as one JSON document (streamed)', { ...role, extension: true }),
  // SPEC §16: webhooks (owner/admin).
  createWebhook: admin('POST', '/workspaces/:ws/webhooks', 'Register a webhook endpoint (the signing secret is shown once)', { ...role, status: [201], idempotent: true, extension: true }),
  listWebhooks: admin('GET', '/workspaces/:ws/webhooks', "The workspace's webhooks, without secrets", { ...role, extension: true }),
  getWebhook: admin('GET', '/workspaces/:ws/webhooks/:id', 'One webhook', { ...role, extension: true }),
  patchWebhook: admin('PATCH', '/workspaces/:ws/webhooks/:id', 'Change a webhook; enabled true turns a disabled one back on', { ...role, extension: true }),
  deleteWebhook: admin('DELETE', '/workspaces/:ws/webhooks/:id', 'Delete a webhook and its delivery log', { ...role, status: [204], extension: true }),
  testWebhook: admin('POST', '/workspaces/:ws/webhooks/:id/test', 'Queue a signed webhook.test delivery (202: see the delivery log)', { ...role, status: [202], extension: true }),
  listWebhookDeliveries: admin('GET', '/workspaces/:ws/webhooks/:id/deliveries', "A webhook's delivery log, newest first", { ...role, extension: true }),
  retryWebhookDelivery: admin('POST', '/workspaces/:ws/webhooks/deliveries/:id/retry', 'Send a delivery again now, with the same webhook-id (202)', {
    ...role,
    status: [202],
    extension: true,
  }),
  }) as const satisfies Record<string, RoutePath>)();

export const ROUTE_PATHS = { widget: WIDGET_ROUTE_PATHS, admin: ADMIN_ROUTE_PATHS } as const;
export type WidgetOperation = keyof typeof WIDGET_ROUTE_PATHS;
export type AdminOperation = keyof typeof ADMIN_ROUTE_PATHS;

/** `/widget/v1` or `/admin/v1`. */
export const basePathOf = (api: Api): string => `/${api === 'widget' ? WIDGET_BASE : ADMIN_BASE}`;

/** The route's path with its parameters filled in (each encoded), below the API's base: `pathOf(ROUTE_PATHS.widget.getConversation, { id })`. */
export function pathOf(route: Pick<RoutePath, 'path'>, params: Record<string, string> = {}): string {
  return route.path.replace(/:(\w+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${route.path}: no value for :${name}`);
    return encodeURIComponent(value);
  });
}

/**
 * What a client calls for a route: its method and its full path, base included, parameters
 * encoded (`routeOf(WIDGET_ROUTE_PATHS.sendMessage, { id })` → POST /widget/v1/conversations/c%2F1/messages).
 * The SDK and the inbox build every path with it, so a route is written once, here.
 */
export const routeOf = (route: Pick<RoutePath, 'api' | 'method' | 'path'>, params?: Record<string, string>): { method: Method; path: string } => ({
  method: route.method,
  path: basePathOf(route.api) + pathOf(route, params),
});

/** Path of both realtime protocols (socket.io and the plain WebSocket), on the public origin and on the realtime service alike. */
export const REALTIME_PATH = '/widget/v1/realtime';

/** The path parameters a route names (`/workspaces/:ws/members/:id` → ['ws', 'id']). */
export const paramsOf = (route: Pick<RoutePath, 'path'>): string[] => [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]);

const MUTATING: ReadonlySet<Method> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every error a route may answer, by HTTP status (SPEC §3): what every route of
 * its kind answers (a malformed request, a limit, an outage; its token; the
 * widget's origin and switches; an oversized body; a reused idempotency key)
 * and the route's own `errors`.
 */
export function errorStatuses(route: RoutePath): Map<number, ErrorCode[]> {
  const codes = new Set<ErrorCode>(['validation_error', 'rate_limited', 'internal_error', ...(route.errors ?? [])]);
  if (route.auth !== 'none') ['auth_required', 'invalid_token', 'auth_expired'].forEach((c) => codes.add(c as ErrorCode));
  if (route.api === 'widget' && route.path !== '/openapi.json') {
    codes.add('widget_disabled');
    if (MUTATING.has(route.method)) codes.add('invalid_origin');
  }
  if (MUTATING.has(route.method)) codes.add('attachment_too_large');
  const byStatus = new Map<number, ErrorCode[]>();
  const add = (status: number, code: ErrorCode) => byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  for (const code of codes) add(ERROR_CATALOGUE[code].status, code);
  // A reused Idempotency-Key with another body (SPEC §9); a service that does not answer in time.
  if (route.idempotent) add(409, 'validation_error');
  // A Range outside the file.
  if (route.download) add(416, 'validation_error');
  add(503, 'internal_error');
  return new Map([...byStatus.entries()].sort(([a], [b]) => a - b));
}
