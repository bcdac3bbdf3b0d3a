import { z, ZodTypeAny } from 'zod';
import * as z4 from 'zod/v4';
import { attachmentLinkQuery } from './attachment';
import { IdKind, idOf, pageQuery } from './common';
import { cannedRepliesQuery, cannedReplyBody, cannedReplyPatchBody } from './canned-replies';
import { adminConversationsQuery, adminMessageBody, adminPatchConversationBody, adminTypingBody, conversationCountsQuery, createConversationBody, escalateBody, messagesQuery, readBody, sendMessageBody } from './conversation';
import { clientEventSchema, eventCountsQuery, ingestBody } from './events';
import { createFormBody, submissionBody, updateFormBody } from './forms';
import { createWebhookBody, patchWebhookBody, webhookDeliveriesQuery } from './integrations';
import { adminArticlesQuery, answerBody, articleCreateBody, articlePatchBody, collectionBody, searchQuery, synonymsBody } from './knowledge';
import { personSelector, workspacePatchBody } from './privacy';
import { presenceBody } from './realtime';
import { notificationsBody, unsubscribeQuery } from './email';
import * as R from './replies';
import { AdminOperation, paramsOf, ROUTE_PATHS, RoutePath, WidgetOperation } from './route-paths';
import { anonymousSessionBody, configQuery, identifyBody, updateSessionBody, workspaceBody } from './session';
import { acceptInviteBody, apiKeyCreateBody, loginBody, memberCreateBody, memberPatchBody, oidcStartQuery, teamCreateBody } from './team';
import { widgetCreateSchema, widgetPatchSchema } from './widget';

export * from './route-paths';

/** What routes.ts adds to a route of route-paths.ts: its schemas. */
export interface RouteSchemas {
  /** The JSON body, as the gateway validates it. */
  body?: ZodTypeAny;
  query?: ZodTypeAny;
  /** The JSON reply of every success status; null: none (204, 302) or bytes (`download`). */
  reply: ZodTypeAny | null;
}

/** One route of the table: where it is, who may call it, what it takes and answers. */
export type Route = RoutePath & RouteSchemas & { operationId: string; params: Record<string, IdKind> };

/**
 * A path parameter's id kind, by the segment before it (`/conversations/:id` is a conversation id); the gateway
 * refuses a malformed one as that kind's not-found, and the documents give each its id pattern.
 */
const SEGMENT_KINDS: Record<string, IdKind> = {
  workspaces: 'workspace',
  widgets: 'widget',
  conversations: 'conversation',
  attachments: 'attachment',
  articles: 'article',
  forms: 'form',
  members: 'operator',
  'api-keys': 'apiKey',
  'canned-replies': 'cannedReply',
  erasures: 'erasure',
  webhooks: 'webhook',
  deliveries: 'delivery',
};

function paramKinds(route: RoutePath): Record<string, IdKind> {
  const segments = route.path.split('/');
  return Object.fromEntries(
    paramsOf(route).map((name) => {
      const kind = SEGMENT_KINDS[segments[segments.indexOf(`:${name}`) - 1]];
      if (!kind) throw new Error(`${route.path}: no id kind for :${name}`);
      return [name, kind];
    }),
  );
}

/**
 * POST /events: each event is checked by the events service on its own (a bad one is rejected by index and the
 * rest kept), so the edge takes any item; the documents describe the item the service accepts (its zod v4 schema).
 */
const { $schema: _, ...clientEventJson } = z4.toJSONSchema(clientEventSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
const documentedEvent = z.unknown().openapi('ClientEvent', clientEventJson);
const documentedIngestBody = ingestBody.extend({ events: new z.ZodArray({ ...ingestBody.shape.events._def, type: documentedEvent }) }).strict();

/** A message needs its text unless it carries attachments (SPEC §13); the gateway's MessageBodyPipe checks that first (message_invalid). */
const withText = <S extends z.AnyZodObject>(body: S) =>
  body.refine((b) => b.text !== undefined || b.attachmentIds !== undefined, 'send text, attachmentIds or both').openapi({ anyOf: [{ required: ['text'] }, { required: ['attachmentIds'] }] });
/** Exactly one of the selector's fields (its superRefine says so to the gateway). */
const documentedSelector = personSelector.openapi({ oneOf: [{ required: ['userId'] }, { required: ['sessionId'] }, { required: ['email'] }] });

const WIDGET_SCHEMAS: Record<WidgetOperation, RouteSchemas> = {
  getOpenApi: { reply: R.openApiDocumentReply },
  getConfig: { query: configQuery, reply: R.publicWidgetConfigReply },
  startAnonymousSession: { body: anonymousSessionBody, reply: R.sessionReply },
  identify: { body: identifyBody, reply: R.sessionReply },
  updateSession: { body: updateSessionBody, reply: R.currentSessionReply },
  refreshSession: { reply: R.sessionReply },
  shutdownSession: { reply: null },
  createRealtimeToken: { reply: R.realtimeTokenReply },
  listConversations: { query: pageQuery, reply: R.conversationPageReply },
  createConversation: { body: createConversationBody, reply: R.conversationReply },
  getConversation: { reply: R.conversationReply },
  uploadAttachment: { reply: R.attachmentReply },
  downloadAttachment: { query: attachmentLinkQuery, reply: null },
  markConversationRead: { body: readBody, reply: R.conversationReply },
  listMessages: { query: messagesQuery, reply: R.messagePageReply },
  sendMessage: { body: withText(sendMessageBody), reply: R.messageReply },
  escalateConversation: { body: escalateBody, reply: R.escalateReply },
  searchArticles: { query: searchQuery, reply: R.articleSearchPageReply },
  getArticle: { reply: R.articleViewReply },
  answerQuestion: { body: answerBody, reply: R.aiAnswerReply },
  listForms: { reply: R.publicFormListReply },
  getForm: { reply: R.publicFormReply },
  submitForm: { body: submissionBody, reply: R.submissionReply },
  ingestEvents: { body: documentedIngestBody, reply: R.ingestReply },
  requestTranscript: { reply: R.transcriptReply },
  unsubscribeEmail: { query: unsubscribeQuery, reply: R.unsubscribeReply },
};

const ADMIN_SCHEMAS: Record<AdminOperation, RouteSchemas> = {
  getOpenApi: { reply: R.openApiDocumentReply },
  createWorkspace: { body: workspaceBody, reply: R.workspaceReply },
  patchWorkspace: { body: workspacePatchBody, reply: R.workspaceSettingsReply },
  createWidget: { body: widgetCreateSchema, reply: R.createdWidgetReply },
  getWidget: { reply: R.widgetReply },
  listWidgets: { reply: R.widgetPageReply },
  patchWidget: { body: widgetPatchSchema, reply: R.widgetReply },
  rotateWidgetSecret: { reply: R.widgetSecretReply },
  createOperatorRealtimeToken: { reply: R.realtimeTokenReply },
  createCollection: { body: collectionBody, reply: R.collectionReply },
  listCollections: { query: pageQuery, reply: R.collectionPageReply },
  createArticle: { body: articleCreateBody, reply: R.adminArticleReply },
  listArticles: { query: adminArticlesQuery, reply: R.adminArticlePageReply },
  getSynonyms: { reply: R.synonymGroupsReply },
  putSynonyms: { body: synonymsBody, reply: R.synonymGroupsReply },
  getArticle: { reply: R.adminArticleReply },
  patchArticle: { body: articlePatchBody.openapi({ minProperties: 1 }), reply: R.adminArticleReply },
  createForm: { body: createFormBody, reply: R.formReply },
  getForm: { reply: R.formReply },
  patchForm: { body: updateFormBody, reply: R.formReply },
  listConversations: { query: adminConversationsQuery, reply: R.conversationPageReply },
  getConversationCounts: { query: conversationCountsQuery, reply: R.conversationCountsReply },
  listCannedReplies: { query: cannedRepliesQuery, reply: R.cannedReplyPageReply },
  createCannedReply: { body: cannedReplyBody, reply: R.cannedReplyReply },
  patchCannedReply: { body: cannedReplyPatchBody.openapi({ minProperties: 1 }), reply: R.cannedReplyReply },
  deleteCannedReply: { reply: null },
  getConversation: { reply: R.operatorConversationReply },
  listMessages: { query: messagesQuery, reply: R.messagePageReply },
  postMessage: { body: withText(adminMessageBody), reply: R.messageReply },
  uploadAttachment: { reply: R.attachmentReply },
  downloadAttachment: { query: attachmentLinkQuery, reply: null },
  patchConversation: { body: adminPatchConversationBody, reply: R.conversationReply },
  setTyping: { body: adminTypingBody, reply: null },
  getEventCounts: { query: eventCountsQuery, reply: R.eventCountsReply },
  login: { body: loginBody, reply: R.loginReply },
  acceptInvite: { body: acceptInviteBody, reply: R.loginReply },
  logout: { reply: null },
  getAuthOptions: { reply: R.authOptionsReply },
  startOidc: { query: oidcStartQuery, reply: null },
  oidcCallback: { reply: null },
  getMe: { reply: R.meReply },
  inviteMember: { body: memberCreateBody, reply: R.invitedMemberReply },
  listMembers: { reply: R.memberPageReply },
  patchMember: { body: memberPatchBody, reply: R.memberReply },
  removeMember: { reply: null },
  setPresence: { body: presenceBody, reply: R.presenceReply },
  setNotifications: { body: notificationsBody, reply: R.notificationSettingsReply },
  createApiKey: { body: apiKeyCreateBody, reply: R.createdApiKeyReply },
  listApiKeys: { reply: R.apiKeyPageReply },
  revokeApiKey: { reply: null },
  createTeam: { body: teamCreateBody, reply: R.teamReply },
  listTeams: { reply: R.teamPageReply },
  getAuditLog: { query: pageQuery, reply: R.auditPageReply },
  requestErasure: { body: documentedSelector, reply: R.erasureReply },
  getErasure: { reply: R.erasureReply },
  exportVisitor: { query: personSelector, reply: R.visitorExportReply },
  createWebhook: { body: createWebhookBody, reply: R.createdWebhookReply },
  listWebhooks: { reply: R.webhookPageReply },
  getWebhook: { reply: R.webhookReply },
  patchWebhook: { body: patchWebhookBody.openapi({ minProperties: 1 }), reply: R.webhookReply },
  deleteWebhook: { reply: null },
  testWebhook: { reply: R.webhookDeliveryReply },
  listWebhookDeliveries: { query: webhookDeliveriesQuery, reply: R.webhookDeliveryPageReply },
  retryWebhookDelivery: { reply: R.webhookDeliveryReply },
};

function join<K extends string>(paths: Record<K, RoutePath>, schemas: Record<K, RouteSchemas>): Record<K, Route> {
  const table = {} as Record<K, Route>;
  for (const operationId of Object.keys(paths) as K[]) {
    table[operationId] = { ...paths[operationId], ...schemas[operationId], operationId, params: paramKinds(paths[operationId]) };
  }
  return table;
}

/**
 * The route table: every route of /widget/v1 and /admin/v1 with its schemas, by API and operationId
 * (`ROUTES.widget.sendMessage`). The gateway's `@Route(…)` decorator, its OpenAPI documents and the spec
 * that compares them with the routes fastify registers all read it.
 */
export const ROUTES = { widget: join(ROUTE_PATHS.widget, WIDGET_SCHEMAS), admin: join(ROUTE_PATHS.admin, ADMIN_SCHEMAS) };

/** Every route of both APIs, widget first, in table order. */
export const ROUTE_LIST: readonly Route[] = [...Object.values(ROUTES.widget), ...Object.values(ROUTES.admin)];

