import { z } from 'zod';
import { idOf, SessionContext } from './common';
import type { Conversation } from './conversation';
import { event, rpc } from './transport';
import { PublicWidgetConfig, Widget, WidgetAccess, WidgetConfig, WidgetPatch } from './widget';

// ---- HTTP bodies and queries (validated at the gateway edge) ----

export const configQuery = z.object({
  workspace_id: idOf('workspace'),
  widget_id: idOf('widget'),
});

export const anonymousSessionBody = z
  .object({
    workspaceId: idOf('workspace'),
    widgetId: idOf('widget'),
    locale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 tag like en or pt-BR').optional(),
  })
  .strict();
export type AnonymousSessionBody = z.infer<typeof anonymousSessionBody>;

/** Without a Bearer session (widgets with anonymousAllowed false), workspaceId and widgetId say which widget. */
export const identifyBody = z
  .object({ token: z.string().min(1).max(8192), workspaceId: idOf('workspace').optional(), widgetId: idOf('widget').optional() })
  .strict();

export const workspaceBody = z.object({ name: z.string().trim().min(1).max(120) }).strict();

// ---- Replies ----

export interface EndUser {
  id: string;
  externalId: string;
  email: string | null;
  name: string | null;
  companyId: string | null;
}

export interface SessionView {
  id: string;
  workspaceId: string;
  widgetId: string;
  identityType: 'anonymous' | 'identified';
  user: EndUser | null;
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

/** The visitor behind a conversation, for the operator (SPEC §9 inbox): their session and, once identified, their profile. */
export interface VisitorProfile {
  sessionId: string;
  widgetId: string;
  identityType: 'anonymous' | 'identified';
  locale: string | null;
  /** When the session started. */
  since: string;
  user: EndUser | null;
}

/** `GET /admin/v1/conversations/{id}`: the conversation and who wrote it. */
export type OperatorConversation = Conversation & { visitor: VisitorProfile };

/** Who an operator realtime socket is: every conversation event of one workspace, until the token expires. */
export interface OperatorContext {
  workspaceId: string;
  expiresAt: string;
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
  identify: rpc<{ session: SessionContext | null; workspaceId: string; widgetId: string; token: string }, SessionReply>('session.identify'),
  refresh: rpc<{ session: SessionContext; token: string }, SessionReply>('session.refresh'),
  shutdown: rpc<{ session: SessionContext }, { revoked: true }>('session.shutdown'),
  realtimeToken: rpc<{ session: SessionContext }, { token: string; expiresAt: string }>('session.realtime-token'),
  /** The operator feed's short-lived token for one workspace (not_found for an unknown workspace). */
  operatorRealtimeToken: rpc<{ workspaceId: string }, { token: string; expiresAt: string }>('session.admin.realtime-token'),

  /** Session token → caller context; invalid_token or auth_expired otherwise. */
  authenticate: rpc<{ token: string }, SessionContext>('session.authenticate'),
  /** Realtime token (or session token) → caller context, for the realtime service. */
  authenticateRealtime: rpc<{ token: string }, SessionContext>('session.authenticate-realtime'),
  /** Operator realtime token (`wot_…`) → its workspace; invalid_token or auth_expired otherwise. */
  authenticateOperatorRealtime: rpc<{ token: string }, OperatorContext>('session.authenticate-operator-realtime'),

  createWorkspace: rpc<{ name: string }, Workspace>('session.admin.workspace.create'),
  createWidget: rpc<{ workspaceId: string; config: WidgetConfig }, { widget: Widget; secret: string }>('session.admin.widget.create'),
  getWidget: rpc<{ widgetId: string }, Widget>('session.admin.widget.get'),
  patchWidget: rpc<{ widgetId: string; patch: WidgetPatch }, Widget>('session.admin.widget.patch'),
  /** The operator's look at a conversation's visitor; not_found (resource `visitor`) when the session is gone. */
  adminVisitor: rpc<{ workspaceId: string; sessionId: string; userId: string | null }, VisitorProfile>('session.admin.visitor'),
  rotateSecret: rpc<{ widgetId: string }, { secret: string }>('session.admin.widget.rotate-secret'),
} as const;

export interface SessionRevoked {
  sessionId: string;
  /** sha256 of the revoked token, hex: the gateways' cache key. */
  tokenHash: string;
  reason: 'shutdown' | 'identified' | 'expired';
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

