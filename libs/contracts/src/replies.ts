// Over 400 lines: a catalogue, one strict zod schema per JSON reply of both APIs, each checked against its
// TypeScript interface; split by domain it would scatter what the OpenAPI components read as one list.
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z, ZodObject, ZodRawShape, ZodTypeAny } from 'zod';
import type { Attachment } from './attachment';
import { idOf, Page } from './common';
import type { CannedReply } from './canned-replies';
import { Assignee, Author, Conversation, ConversationCounts, CONVERSATION_STATUSES, EscalateReply, Message } from './conversation';
import type { EventCounts, IngestReply } from './events';
import { MESSAGE_CHANNELS, NotificationSettings, TranscriptReply } from './email';
import { Form, formFieldSchema, PublicForm, Submission } from './forms';
import { AdminArticle, AiAnswerReply, ARTICLE_STATUSES, ArticleSearchHit, ArticleView, Collection, SynonymGroups } from './knowledge';
import { CreatedWebhook, Webhook, WebhookDelivery, WEBHOOK_EVENT_TYPES } from './integrations';
import { ErasureView, PRIVACY_PARTS, Retention, retentionSchema } from './privacy';
import { PRESENCE_STATUSES } from './realtime';
import { Company, EndUser, OperatorConversation, OperatorVisitor, SessionReply, SessionView, VisitorProfile, Workspace } from './session';
import { ApiKeyView, AuditEntry, AuthOptionsReply, LoginReply, MeReply, Member, OperatorView, Presence, ROLES, Team } from './team';
import { AI_MODES, Availability, ESCALATION_BEHAVIORS, PublicWidgetConfig, REPLY_TIMES, Widget, widgetConfigSchema } from './widget';

/**
 * Zod schemas of every JSON reply of /widget/v1 and /admin/v1, the route
 * table's `reply` (routes.ts). Each is checked at compile time against the
 * TypeScript interface the services answer with (`reply<Message>()(…)` does
 * not compile when the schema misses a field of Message, adds one, or types
 * one otherwise), and closed objects are `.strict()`, so the documents say
 * `additionalProperties: false` and a field the server adds without its
 * schema fails the contract spec (apps/gateway/test/openapi-client.e2e-spec.ts).
 * `.openapi('Name')` makes a schema a named component of the documents.
 */
extendZodWithOpenApi(z);

/** Whether the schema's type is exactly T: each assignable to the other, with the same keys (an optional extra field counts). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false;

/** `reply<T>()(schema)`: the schema, once the compiler agrees it describes T. */
const reply =
  <T>() =>
  <S extends ZodTypeAny>(schema: S, ..._mismatch: Same<z.output<S>, T> extends true ? [] : ['the schema does not describe the type', T]): S =>
    schema;

/**
 * A request schema as a reply: every `.default()` unwrapped, so a field the
 * server always sends is required (a body may leave it out, a reply never does).
 */
function sent<S extends ZodTypeAny>(schema: S): S {
  const strip = (s: ZodTypeAny): ZodTypeAny => {
    if (s instanceof z.ZodDefault) return strip(s._def.innerType);
    if (s instanceof z.ZodOptional) return strip(s.unwrap()).optional();
    if (s instanceof z.ZodNullable) return strip(s.unwrap()).nullable();
    if (s instanceof z.ZodArray) return z.array(strip(s.element));
    if (s instanceof z.ZodEffects) return strip(s.innerType());
    if (s instanceof ZodObject) {
      const shape = Object.fromEntries(Object.entries(s.shape as ZodRawShape).map(([k, v]) => [k, strip(v)]));
      const object = z.object(shape);
      return s._def.unknownKeys === 'strict' ? object.strict() : s._def.unknownKeys === 'passthrough' ? object.passthrough() : object;
    }
    return s;
  };
  return strip(schema) as S;
}

/**
 * A named schema or null. Not `.nullable()`: the generator would then write the component itself as nullable
 * when it meets the nullable use first (zod-to-openapi 7); a union keeps the component as it is.
 */
const orNull = <S extends ZodTypeAny>(schema: S) => z.union([schema, z.null()]);
const time = z.string().datetime({ offset: true });
const json = z.record(z.unknown());
const page = <T extends ZodTypeAny>(item: T, name: string) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable().describe('Opaque: pass as `cursor` for the next page; null on the last') }).strict().openapi(name);

// ---- Sessions (SPEC §4) ----
export const companyReply = reply<Company>()(z.object({ id: z.string().nullable(), name: z.string().nullable(), plan: z.string().nullable() }).strict().openapi('Company'));
export const endUserReply = reply<EndUser>()(
  z
    .object({
      id: idOf('user'),
      externalId: z.string(),
      email: z.string().nullable(),
      name: z.string().nullable(),
      companyId: z.string().nullable(),
      company: orNull(companyReply),
      traits: json,
      verified: z.boolean(),
    })
    .strict()
    .openapi('EndUser'),
);
export const visitorProfileReply = reply<VisitorProfile>()(
  z.object({ email: z.string().nullable(), name: z.string().nullable(), company: orNull(companyReply), traits: json }).strict().openapi('VisitorProfile'),
);
const identityType = z.enum(['anonymous', 'identified']);
export const sessionViewReply = reply<SessionView>()(
  z
    .object({
      id: idOf('session'),
      workspaceId: idOf('workspace'),
      widgetId: idOf('widget'),
      identityType,
      user: orNull(endUserReply),
      visitor: orNull(visitorProfileReply),
      expiresAt: time,
    })
    .strict()
    .openapi('Session'),
);
export const sessionReply = reply<SessionReply>()(z.object({ session: sessionViewReply, token: z.string(), expiresAt: time }).strict().openapi('SessionReply'));
export const currentSessionReply = reply<{ session: SessionView }>()(z.object({ session: sessionViewReply }).strict().openapi('CurrentSession'));
export const realtimeTokenReply = reply<{ token: string; expiresAt: string }>()(z.object({ token: z.string(), expiresAt: time }).strict().openapi('RealtimeToken'));

// ---- Widgets and workspaces ----
export const availabilityReply = reply<Availability>()(
  z
    .object({
      online: z.boolean().describe('Within the hours (always, without hours) and at least one member of the workspace present'),
      nextOpenAt: time.nullable().describe('The next opening when outside the hours; null within them or without hours'),
      // A union, not .nullable(): the generator would write an enum without null (ajv refuses null then).
      replyTime: orNull(z.enum(REPLY_TIMES)),
    })
    .strict()
    .openapi('Availability'),
);
export const publicWidgetConfigReply = reply<PublicWidgetConfig>()(
  z
    .object({
      id: idOf('widget'),
      workspaceId: idOf('workspace'),
      ...sent(widgetConfigSchema).pick({ name: true, enabled: true, identity: true, features: true, theme: true, launcher: true }).shape,
      forms: z.object({ visibleFormIds: z.array(idOf('form')) }).strict(),
      ai: z.object({ enabled: z.boolean(), mode: z.enum(AI_MODES), escalationBehavior: z.enum(ESCALATION_BEHAVIORS) }).strict(),
      availability: availabilityReply,
    })
    .strict()
    .openapi('PublicWidgetConfig'),
);
export const widgetReply = reply<Widget>()(
  sent(widgetConfigSchema).extend({ id: idOf('widget'), workspaceId: idOf('workspace'), createdAt: time, updatedAt: time }).strict().openapi('Widget'),
);
export const widgetPageReply = reply<Page<Widget>>()(page(widgetReply, 'WidgetPage'));
export const createdWidgetReply = reply<{ widget: Widget; secret: string }>()(z.object({ widget: widgetReply, secret: z.string() }).strict().openapi('CreatedWidget'));
export const widgetSecretReply = reply<{ secret: string }>()(z.object({ secret: z.string() }).strict().openapi('WidgetSecret'));
// Shapes spread into a new object, never `.extend()`ed from a named schema: the generator would write that as
// allOf with the named one, whose additionalProperties: false would then refuse the added fields.
const workspaceShape = { id: idOf('workspace'), name: z.string(), createdAt: time };
export const workspaceReply = reply<Workspace>()(z.object(workspaceShape).strict().openapi('Workspace'));
export const workspaceSettingsReply = reply<Workspace & { retention: Retention }>()(
  z.object({ ...workspaceShape, retention: retentionSchema }).strict().openapi('WorkspaceSettings'),
);

// ---- Conversations (SPEC §5, §13) ----
export const attachmentReply = reply<Attachment>()(
  z
    .object({
      id: idOf('attachment'),
      name: z.string(),
      contentType: z.string(),
      size: z.number().int().min(0),
      url: z.string().describe('A short-lived signed link: GET it with the Bearer token'),
    })
    .strict()
    .openapi('Attachment'),
);
export const authorReply = reply<Author>()(
  z.object({ type: z.enum(['user', 'agent', 'bot', 'system', 'note']), id: z.string().nullable(), name: z.string().nullable() }).strict().openapi('Author'),
);
export const messageReply = reply<Message>()(
  z
    .object({
      id: idOf('message'),
      conversationId: idOf('conversation'),
      author: authorReply,
      text: z.string(),
      clientMessageId: z.string().nullable(),
      metadata: json,
      attachments: z.array(attachmentReply),
      channel: z.enum(MESSAGE_CHANNELS).optional().describe('How it arrived: web (the widget and every API) or email (a reply by email); always sent'),
      createdAt: time,
    })
    .strict()
    .openapi('Message'),
);
export const assigneeReply = reply<Assignee>()(z.object({ id: z.string(), name: z.string().nullable() }).strict().openapi('Assignee'));
const conversationShape = {
  id: idOf('conversation'),
  subject: z.string().nullable(),
  status: z.enum(CONVERSATION_STATUSES),
  tags: z.array(z.string()),
  customFields: json,
  metadata: json,
  assignee: orNull(assigneeReply),
  unreadCount: z.number().int().min(0),
  lastMessage: orNull(messageReply),
  createdAt: time,
  updatedAt: time,
};
export const conversationReply = reply<Conversation>()(z.object(conversationShape).strict().openapi('Conversation'));
export const conversationPageReply = reply<Page<Conversation>>()(page(conversationReply, 'ConversationPage'));
export const messagePageReply = reply<Page<Message>>()(page(messageReply, 'MessagePage'));
export const escalateReply = reply<EscalateReply>()(
  z.object({ escalationBehavior: z.enum(ESCALATION_BEHAVIORS), message: orNull(messageReply) }).strict().openapi('EscalateReply'),
);
export const operatorVisitorReply = reply<OperatorVisitor>()(
  z
    .object({
      sessionId: idOf('session'),
      widgetId: idOf('widget'),
      identityType,
      locale: z.string().nullable(),
      since: time,
      user: orNull(endUserReply),
      profile: orNull(visitorProfileReply),
    })
    .strict()
    .openapi('OperatorVisitor'),
);
export const operatorConversationReply = reply<OperatorConversation>()(
  z
    .object({
      ...conversationShape,
      visitor: operatorVisitorReply,
      visitorLastReadMessageId: idOf('message').nullable().describe("The visitor's read position: the agent's messages up to it were seen"),
    })
    .strict()
    .openapi('OperatorConversation'),
);
export const conversationCountsReply = reply<ConversationCounts>()(
  z.object({ all: z.number().int().min(0), mine: z.number().int().min(0), unassigned: z.number().int().min(0) }).strict().openapi('ConversationCounts'),
);
export const cannedReplyReply = reply<CannedReply>()(
  z.object({ id: idOf('cannedReply'), shortcut: z.string(), text: z.string(), createdAt: time, updatedAt: time }).strict().openapi('CannedReply'),
);
export const cannedReplyPageReply = reply<Page<CannedReply>>()(page(cannedReplyReply, 'CannedReplyPage'));

// ---- Knowledge and AI answers (SPEC §6) ----
export const articleViewReply = reply<ArticleView>()(
  z
    .object({ id: idOf('article'), title: z.string(), body: z.string(), collectionId: idOf('collection').nullable(), locale: z.string(), updatedAt: time })
    .strict()
    .openapi('Article'),
);
export const articleSearchHitReply = reply<ArticleSearchHit>()(
  z
    .object({
      id: idOf('article'),
      title: z.string(),
      snippet: z.string(),
      collectionId: idOf('collection').nullable(),
      locale: z.string(),
      updatedAt: time,
      score: z.number(),
    })
    .strict()
    .openapi('ArticleSearchHit'),
);
export const articleSearchPageReply = reply<Page<ArticleSearchHit>>()(page(articleSearchHitReply, 'ArticleSearchPage'));
const citation = z.object({ articleId: idOf('article'), title: z.string() }).strict();
export const aiAnswerReply = reply<AiAnswerReply>()(
  z
    .object({
      id: idOf('answer'),
      mode: z.enum(AI_MODES),
      answer: z.object({ text: z.string(), confidence: z.number(), citations: z.array(citation) }).strict().nullable(),
      suggestions: z.array(articleSearchHitReply),
      escalation: z.object({ recommended: z.boolean(), reason: z.string().nullable() }).strict(),
    })
    .strict()
    .openapi('AiAnswer'),
);
export const collectionReply = reply<Collection>()(
  z.object({ id: idOf('collection'), workspaceId: idOf('workspace'), name: z.string(), createdAt: time }).strict().openapi('Collection'),
);
export const collectionPageReply = reply<Page<Collection>>()(page(collectionReply, 'CollectionPage'));
export const adminArticleReply = reply<AdminArticle>()(
  z
    .object({
      id: idOf('article'),
      workspaceId: idOf('workspace'),
      collectionId: idOf('collection').nullable(),
      title: z.string(),
      body: z.string(),
      locale: z.string(),
      status: z.enum(ARTICLE_STATUSES),
      createdAt: time,
      updatedAt: time,
      publishedAt: time.nullable(),
    })
    .strict()
    .openapi('AdminArticle'),
);
export const adminArticlePageReply = reply<Page<AdminArticle>>()(page(adminArticleReply, 'AdminArticlePage'));
export const synonymGroupsReply = reply<SynonymGroups>()(
  z.object({ workspaceId: idOf('workspace'), groups: z.array(z.array(z.string())), updatedAt: time.nullable() }).strict().openapi('SynonymGroups'),
);

// ---- Forms and events (SPEC §7, §8) ----
const formFieldReply = sent(formFieldSchema).openapi('FormField');
const publicFormShape = { id: idOf('form'), name: z.string(), description: z.string().nullable(), fields: z.array(formFieldReply) };
export const publicFormReply = reply<PublicForm>()(z.object(publicFormShape).strict().openapi('PublicForm'));
/**
 * GET /forms answers every visible form at once (nextCursor always null), described as any page: a property typed
 * `null` alone is dropped by openapi-fetch's reply types (their `Readable` treats NonNullable<null> as a write-only field).
 */
export const publicFormListReply = reply<Page<PublicForm>>()(page(publicFormReply, 'PublicFormPage'));
export const formReply = reply<Form>()(z.object({ ...publicFormShape, workspaceId: idOf('workspace'), createdAt: time, updatedAt: time }).strict().openapi('Form'));
export const submissionReply = reply<Submission>()(
  z.object({ id: idOf('submission'), formId: idOf('form'), conversationId: idOf('conversation'), createdAt: time }).strict().openapi('Submission'),
);
export const ingestReply = reply<IngestReply>()(
  z
    .object({
      accepted: z.number().int().min(0),
      duplicates: z.number().int().min(0),
      rejected: z.array(z.object({ index: z.number().int().min(0), reason: z.string() }).strict()),
    })
    .strict()
    .openapi('IngestReply'),
);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
export const eventCountsReply = reply<EventCounts>()(
  z
    .object({
      workspaceId: idOf('workspace'),
      from: day,
      to: day,
      data: z.array(z.object({ day, type: z.string(), count: z.number().int().min(0) }).strict()),
    })
    .strict()
    .openapi('EventCounts'),
);

// ---- Team (SPEC §14) ----
const role = z.enum(ROLES);
export const operatorViewReply = reply<OperatorView>()(
  z
    .object({
      id: idOf('operator'),
      email: z.string(),
      name: z.string(),
      memberships: z.array(z.object({ workspaceId: idOf('workspace'), role }).strict()),
    })
    .strict()
    .openapi('Operator'),
);
export const loginReply = reply<LoginReply>()(z.object({ token: z.string(), expiresAt: time, operator: operatorViewReply }).strict().openapi('LoginReply'));
export const authOptionsReply = reply<AuthOptionsReply>()(z.object({ sso: z.boolean() }).strict().openapi('AuthOptions'));
export const memberReply = reply<Member>()(
  z
    .object({
      id: idOf('operator'),
      email: z.string(),
      name: z.string(),
      role,
      status: z.enum(['invited', 'active']),
      createdAt: time,
      presence: z.enum([...PRESENCE_STATUSES, 'offline']).optional().describe('In the member list only'),
    })
    .strict()
    .openapi('Member'),
);
export const memberPageReply = reply<Page<Member>>()(page(memberReply, 'MemberPage'));
export const invitedMemberReply = reply<{ member: Member; inviteToken: string }>()(z.object({ member: memberReply, inviteToken: z.string() }).strict().openapi('InvitedMember'));
const apiKeyRole = z.enum(['admin', 'agent']);
const apiKeyShape = { id: idOf('apiKey'), name: z.string(), role: apiKeyRole, createdAt: time, lastUsedAt: time.nullable() };
export const apiKeyReply = reply<ApiKeyView>()(z.object(apiKeyShape).strict().openapi('ApiKey'));
export const apiKeyPageReply = reply<Page<ApiKeyView>>()(page(apiKeyReply, 'ApiKeyPage'));
export const createdApiKeyReply = reply<{ key: ApiKeyView; secret: string }>()(z.object({ key: apiKeyReply, secret: z.string() }).strict().openapi('CreatedApiKey'));
export const meReply = reply<MeReply>()(
  z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('operator'), operator: operatorViewReply }).strict(),
      z.object({ kind: z.literal('api_key'), key: z.object({ ...apiKeyShape, workspaceId: idOf('workspace') }).strict() }).strict(),
      z.object({ kind: z.literal('root') }).strict(),
    ])
    .openapi('Me'),
);
export const teamReply = reply<Team>()(
  z.object({ id: idOf('team'), workspaceId: idOf('workspace'), name: z.string(), memberIds: z.array(idOf('operator')), createdAt: time }).strict().openapi('Team'),
);
export const teamPageReply = reply<Page<Team>>()(page(teamReply, 'TeamPage'));
export const presenceReply = reply<Presence>()(
  z
    .object({ workspaceId: idOf('workspace'), operatorId: idOf('operator'), status: z.enum(PRESENCE_STATUSES), connected: z.boolean(), present: z.boolean() })
    .strict()
    .openapi('Presence'),
);
// Issue 22: email (SPEC §15).
export const transcriptReply = reply<TranscriptReply>()(z.object({ status: z.literal('queued') }).strict().openapi('TranscriptReply'));
export const unsubscribeReply = reply<{ unsubscribed: true }>()(z.object({ unsubscribed: z.literal(true) }).strict().openapi('UnsubscribeReply'));
export const notificationSettingsReply = reply<NotificationSettings>()(
  z.object({ workspaceId: idOf('workspace'), newConversationEmail: z.boolean() }).strict().openapi('NotificationSettings'),
);
export const auditEntryReply = reply<AuditEntry>()(
  z
    .object({
      id: idOf('audit'),
      at: time,
      actor: z.object({ kind: z.enum(['root', 'operator', 'api_key']), id: z.string().nullable() }).strict(),
      action: z.string(),
      targetType: z.string(),
      targetId: z.string().nullable(),
      requestId: z.string().nullable(),
      address: z.string().nullable(),
    })
    .strict()
    .openapi('AuditEntry'),
);
export const auditPageReply = reply<Page<AuditEntry>>()(page(auditEntryReply, 'AuditPage'));

// ---- Privacy (SPEC §17) ----
const erasurePart = z
  .object({ status: z.enum(['pending', 'done']), attempts: z.number().int().min(0), doneAt: time.nullable(), erased: z.record(z.number()).nullable() })
  .strict();
export const erasureReply = reply<{ erasure: ErasureView }>()(
  z
    .object({
      erasure: z
        .object({
          id: idOf('erasure'),
          workspaceId: idOf('workspace'),
          status: z.enum(['pending', 'done']),
          selector: z.enum(['userId', 'sessionId', 'email']),
          createdAt: time,
          doneAt: time.nullable(),
          parts: z.object(Object.fromEntries(PRIVACY_PARTS.map((part) => [part, erasurePart])) as Record<(typeof PRIVACY_PARTS)[number], typeof erasurePart>).strict(),
        })
        .strict(),
    })
    .strict()
    .openapi('ErasureReply'),
);
/** GET …/visitors/export: one JSON document, each service's part a list of pages of rows by table. */
export const visitorExportReply = z
  .object({
    workspaceId: idOf('workspace'),
    person: z.object({ sessionIds: z.array(idOf('session')), userIds: z.array(idOf('user')) }).strict(),
    exportedAt: time,
    parts: z.object(Object.fromEntries(PRIVACY_PARTS.map((part) => [part, z.array(z.record(z.array(z.unknown())))]))).strict(),
  })
  .strict()
  .openapi('VisitorExport');

// ---- SPEC §16: webhooks ----
export const webhookReply = reply<Webhook>()(
  z
    .object({
      id: idOf('webhook'),
      url: z.string(),
      events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
      description: z.string().nullable(),
      enabled: z.boolean(),
      disabledAt: time.nullable(),
      disabledReason: z.string().nullable(),
      createdAt: time,
      updatedAt: time,
    })
    .strict()
    .openapi('Webhook'),
);
export const webhookPageReply = reply<Page<Webhook>>()(page(webhookReply, 'WebhookPage'));
export const createdWebhookReply = reply<CreatedWebhook>()(
  z.object({ webhook: webhookReply, secret: z.string().describe('whsec_…: the signing secret, shown only here') }).strict().openapi('CreatedWebhook'),
);
export const webhookDeliveryReply = reply<WebhookDelivery>()(
  z
    .object({
      id: idOf('delivery').describe('Also the webhook-id header of every attempt'),
      webhookId: idOf('webhook'),
      event: z.enum([...WEBHOOK_EVENT_TYPES, 'webhook.test']),
      status: z.enum(['pending', 'succeeded', 'failed']),
      attempts: z.number().int(),
      lastStatus: z.number().int().nullable(),
      lastError: z.string().nullable(),
      nextAttemptAt: time.nullable(),
      createdAt: time,
      deliveredAt: time.nullable(),
    })
    .strict()
    .openapi('WebhookDelivery'),
);
export const webhookDeliveryPageReply = reply<Page<WebhookDelivery>>()(page(webhookDeliveryReply, 'WebhookDeliveryPage'));

/** The document itself (GET …/openapi.json): an OpenAPI 3.1 object, open to every field OpenAPI allows. */
export const openApiDocumentReply = z
  .object({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }).passthrough(), paths: json })
  .passthrough()
  .openapi('OpenApiDocument');
