import { z } from 'zod';
import { Idempotent, idOf, SessionContext } from './common';
import type { Conversation } from './conversation';
import { Audited, auditLogRpc } from './team';
import { ErasureView, PersonKeys, PersonSelector, privacyRpcs, Retention, RetentionPolicy, WorkspacePatchBody } from './privacy';
import { event, rpc } from './transport';
import { PublicWidgetConfig, Widget, WidgetAccess, WidgetCreateBody, WidgetPatch } from './widget';

// ---- HTTP bodies and queries (validated at the gateway edge) ----

export const configQuery = z.object({
  workspace_id: idOf('workspace'),
  widget_id: idOf('widget'),
});

/** GET /widget/v1/frame: the pair, and the origin of the page that embeds the frame (the SDK's), which frame-ancestors names when allowed. */
export const frameQuery = configQuery.extend({ host_origin: z.string().max(300).optional() });

export const anonymousSessionBody = z
  .object({
    workspaceId: idOf('workspace'),
    widgetId: idOf('widget'),
    locale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 tag like en or pt-BR').optional(),
  })
  .strict();
export type AnonymousSessionBody = z.infer<typeof anonymousSessionBody>;

export const TRAITS_MAX_BYTES = 4 * 1024;

const companyFields = {
  name: z.string().trim().min(1).max(255).optional(),
  plan: z.string().trim().min(1).max(120).optional(),
};
const email = z.string().trim().email().max(320);
const displayName = z.string().trim().min(1).max(255);

/**
 * `token`: the identity JWT (verified). Or, when the widget's
 * identity.jwtRequiredForIdentifiedUsers is false, `user` (+ `company`) with
 * no JWT: an unverified identity (SPEC §4). Without a Bearer session (widgets
 * with anonymousAllowed false), workspaceId and widgetId say which widget.
 */
export const identifyBody = z
  .object({
    token: z.string().min(1).max(8192).optional(),
    user: z.object({ id: z.string().trim().min(1).max(255), email: email.optional(), name: displayName.optional() }).strict().optional(),
    company: z.object({ id: z.string().trim().min(1).max(255), ...companyFields }).strict().optional(),
    workspaceId: idOf('workspace').optional(),
    widgetId: idOf('widget').optional(),
  })
  .strict()
  .refine((b) => !(b.token !== undefined && (b.user !== undefined || b.company !== undefined)), {
    message: 'send either token (a JWT) or user, not both',
    path: ['user'],
  });
export type IdentifyBody = z.infer<typeof identifyBody>;

/** PATCH /sessions/current: what the SDK's update() sends; at most 4 KB of JSON. */
export const updateSessionBody = z
  .object({
    user: z.object({ traits: z.record(z.unknown()).optional(), email: email.optional(), name: displayName.optional() }).strict().optional(),
    company: z.object({ id: z.string().trim().min(1).max(255).optional(), ...companyFields }).strict().optional(),
  })
  .strict()
  .refine((b) => Buffer.byteLength(JSON.stringify(b), 'utf8') <= TRAITS_MAX_BYTES, { message: `must be at most ${TRAITS_MAX_BYTES} bytes of JSON` });
export type UpdateSessionBody = z.infer<typeof updateSessionBody>;

export const workspaceBody = z.object({ name: z.string().trim().min(1).max(120) }).strict();

// ---- Replies ----

export interface Company {
  id: string | null;
  name: string | null;
  plan: string | null;
}

export interface EndUser {
  id: string;
  externalId: string;
  email: string | null;
  name: string | null;
  companyId: string | null;
  company: Company | null;
  traits: Record<string, unknown>;
  /** false: claimed without a JWT; sees only its own browser's conversations. */
  verified: boolean;
}

/** An anonymous visitor's profile (PATCH /sessions/current before identify). */
export interface VisitorProfile {
  email: string | null;
  name: string | null;
  company: Company | null;
  traits: Record<string, unknown>;
}

export interface SessionView {
  id: string;
  workspaceId: string;
  widgetId: string;
  identityType: 'anonymous' | 'identified';
  user: EndUser | null;
  /** Anonymous sessions: what update() told us; null until then, and for identified sessions (see user). */
  visitor: VisitorProfile | null;
  expiresAt: string;
}

export interface SessionReply {
  session: SessionView;
  token: string;
  expiresAt: string;
}

export interface AnonymousReply extends SessionReply {
  /** true when a new session was made (201), false when the Bearer one was resumed (200). */
  created: boolean;
}

/** The visitor behind a conversation, for the operator (the inbox): their session and what is known of them. */
export interface OperatorVisitor {
  sessionId: string;
  widgetId: string;
  identityType: 'anonymous' | 'identified';
  locale: string | null;
  /** When the session started. */
  since: string;
  /** The end user once identified (or merged into one). */
  user: EndUser | null;
  /** An anonymous session's own profile (the SDK's update()); null when identified or never told. */
  profile: VisitorProfile | null;
}

/** `GET /admin/v1/conversations/{id}`: the conversation and who wrote it. */
/** `visitorLastReadMessageId`: the visitor's read position, for the inbox's "seen" mark (issue 21). */
export type OperatorConversation = Conversation & { visitor: OperatorVisitor; visitorLastReadMessageId: string | null };

/** Whom an operator realtime token was minted for (SPEC §14): an account or a key, or the root key (id null). */
export interface OperatorPrincipal {
  kind: 'root' | 'operator' | 'api_key';
  id: string | null;
  name: string | null;
  /**
   * The sign-in an operator account's token came from, as `credentialRef(hashToken(operator token))` (never the
   * token, nor the hash stored at rest): its logout ends the sockets opened with it. Absent for keys and root.
   */
  credential?: string;
}

/** Who an operator realtime socket is: every conversation event of one workspace, until the token expires. */
export interface OperatorContext {
  workspaceId: string;
  expiresAt: string;
  /** Whom the token was minted for (presence counts the `operator` ones). */
  principal: OperatorPrincipal;
}

export interface Workspace {
  id: string;
  name: string;
  createdAt: string;
}

// ---- NATS subjects ----

export const SessionRpc = {
  publicConfig: rpc<{ workspaceId: string; widgetId: string }, PublicWidgetConfig>('session.config.public'),
  widgetAccess: rpc<{ widgetId: string }, WidgetAccess>('session.widget.access'),
  originAllowedAnywhere: rpc<{ origin: string }, { allowed: boolean }>('session.origin.allowed'),

  anonymous: rpc<AnonymousSessionBody & { resumeToken?: string }, AnonymousReply>('session.anonymous'),
  /** `sessionToken`: the Bearer token, handed back when the same user re-identifies (the session is kept). */
  identify: rpc<
    { session: SessionContext | null; sessionToken?: string; workspaceId: string; widgetId: string } & Omit<IdentifyBody, 'workspaceId' | 'widgetId'>,
    SessionReply
  >('session.identify'),
  updateCurrent: rpc<{ session: SessionContext } & UpdateSessionBody, { session: SessionView }>('session.update-current'),
  refresh: rpc<{ session: SessionContext; token: string }, SessionReply>('session.refresh'),
  shutdown: rpc<{ session: SessionContext }, { revoked: true }>('session.shutdown'),
  realtimeToken: rpc<{ session: SessionContext }, { token: string; expiresAt: string }>('session.realtime-token'),
  /** The operator feed's short-lived token for one workspace (not_found for an unknown workspace). */
  operatorRealtimeToken: rpc<{ workspaceId: string; principal: OperatorPrincipal }, { token: string; expiresAt: string }>('session.admin.realtime-token'),

  /** Session token → caller context; invalid_token or auth_expired otherwise. */
  authenticate: rpc<{ token: string }, SessionContext>('session.authenticate'),
  /** Realtime token (or session token) → caller context, for the realtime service. */
  authenticateRealtime: rpc<{ token: string }, SessionContext>('session.authenticate-realtime'),

  /** A workspace, or not_found: what the team service checks before it invites into one. */
  getWorkspace: rpc<{ workspaceId: string }, Workspace>('session.admin.workspace.get'),
  createWorkspace: rpc<{ name: string } & Idempotent & Audited, Workspace>('session.admin.workspace.create'),
  createWidget: rpc<{ workspaceId: string; config: WidgetCreateBody } & Idempotent & Audited, { widget: Widget; secret: string }>('session.admin.widget.create'),
  getWidget: rpc<{ widgetId: string }, Widget>('session.admin.widget.get'),
  /** A workspace's widgets, oldest first (the inbox's settings pick the one whose availability they edit). */
  listWidgets: rpc<{ workspaceId: string }, Widget[]>('session.admin.widget.list'),
  patchWidget: rpc<{ widgetId: string; patch: WidgetPatch } & Audited, Widget>('session.admin.widget.patch'),
  /** The operator's look at a conversation's visitor; conversation_not_found when the session is not of that workspace. */
  adminVisitor: rpc<{ workspaceId: string; sessionId: string; userId: string | null }, OperatorVisitor>('session.admin.visitor'),
  rotateSecret: rpc<{ widgetId: string } & Audited, { secret: string }>('session.admin.widget.rotate-secret'),
  /** The workspace, widget and secret changes this service recorded (SPEC §14), newest first. */
  auditLog: auditLogRpc('session'),

  // SPEC §17: the session service resolves a person, coordinates erasures and holds the retention settings.
  /** The session service's own part of an erasure runs in its coordinator; only its export is asked for. */
  exportPerson: privacyRpcs('session').exportPerson,
  /** userId | sessionId | email → the keys every service files the person under; not_found (person_not_found) when nothing is held. */
  resolvePerson: rpc<{ workspaceId: string; selector: PersonSelector }, PersonKeys>('session.privacy.resolve'),
  /** Records the erasure and its parts, erases the session service's own part, then drives the others until every part is done. */
  requestErasure: rpc<{ workspaceId: string; selector: PersonSelector } & Audited, ErasureView>('session.privacy.erasure.request'),
  getErasure: rpc<{ workspaceId: string; erasureId: string }, ErasureView>('session.privacy.erasure.get'),
  /** PATCH /admin/v1/workspaces/{ws}: the name and the retention settings. */
  patchWorkspace: rpc<{ workspaceId: string } & WorkspacePatchBody & Audited, Workspace & { retention: Retention }>('session.admin.workspace.patch'),
  /** The retention sweepers' question: every workspace with a limit set. */
  retentionPolicies: rpc<Record<string, never>, RetentionPolicy[]>('session.privacy.retention-policies'),
} as const;

export interface SessionRevoked {
  sessionId: string;
  /** sha256 of the revoked token, hex: the gateways' cache key. */
  tokenHash: string;
  reason: 'shutdown' | 'identified' | 'expired' | 'erased';
}

export interface SessionIdentified {
  fromSessionId: string;
  toSessionId: string;
  workspaceId: string;
  widgetId: string;
  userId: string;
  merge: boolean;
}

export interface SessionStarted {
  sessionId: string;
  workspaceId: string;
  widgetId: string;
  identityType: 'anonymous' | 'identified';
  at: string;
}

export const SessionEvents = {
  /** A new session (anonymous start or identify); lifecycle analytics listen to it. */
  started: event<SessionStarted>('session.started'),
  /** Broadcast (no queue group): every gateway and realtime replica drops the session. */
  revoked: event<SessionRevoked>('session.revoked'),
  identified: event<SessionIdentified>('session.identified'),
  widgetUpdated: event<{ widgetId: string }>('session.widget.updated'),
} as const;

