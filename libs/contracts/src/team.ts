import { z } from 'zod';
import { Idempotent, idOf, Page, PageQuery } from './common';
import { event, Rpc, rpc, ServiceName } from './transport';
import type { PresenceStatus } from './realtime';
import type { NotificationSettings, NotificationsBody, NotifiedMember } from './email';

/**
 * SPEC §14: operator accounts, roles per workspace, workspace API keys, the
 * audit log and teams. The team service owns them (schema `team`); the
 * gateway resolves every /admin/v1 caller through it and checks the route's
 * role in one place (apps/gateway/src/auth/operator-access.ts).
 */

export const ROLES = ['agent', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];
/** A role's rank: a route that needs `admin` admits `admin` and `owner`. */
export const roleRank = (role: Role): number => ROLES.indexOf(role);
export const roleAtLeast = (role: Role, needed: Role): boolean => roleRank(role) >= roleRank(needed);

export const PASSWORD_MIN_LENGTH = 10;
/** argon2 hashes any length, but a megabyte of "password" is only a way to burn the server's CPU. */
export const PASSWORD_MAX_LENGTH = 256;

const email = z.string().trim().toLowerCase().email().max(320);
const password = z.string().min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH);
const personName = z.string().trim().min(1).max(120);
const secretToken = z.string().min(1).max(200);

// ---- HTTP bodies ----

export const memberCreateBody = z.object({ email, name: personName, role: z.enum(ROLES) }).strict();
export type MemberCreateBody = z.infer<typeof memberCreateBody>;
export const memberPatchBody = z.object({ role: z.enum(ROLES) }).strict();
export const acceptInviteBody = z.object({ inviteToken: secretToken, password, name: personName.optional() }).strict();
export type AcceptInviteBody = z.infer<typeof acceptInviteBody>;
/** Login checks only the shape: a password shorter than today's rule must still get invalid_credentials, not a hint. */
export const loginBody = z.object({ email: z.string().trim().toLowerCase().min(1).max(320), password: z.string().min(1).max(PASSWORD_MAX_LENGTH) }).strict();
export type LoginBody = z.infer<typeof loginBody>;
export const apiKeyCreateBody = z.object({ name: personName, role: z.enum(['admin', 'agent']) }).strict();
export type ApiKeyCreateBody = z.infer<typeof apiKeyCreateBody>;
export const teamCreateBody = z.object({ name: personName, memberIds: z.array(idOf('operator')).max(500).default([]) }).strict();
export type TeamCreateBody = z.infer<typeof teamCreateBody>;

/** Where single sign-on lands by default: the inbox. */
export const DEFAULT_RETURN_TO = '/inbox/';
/**
 * A path on this origin and nothing else: one leading `/` not followed by
 * another `/` or a `\` (browsers read both as another host), and no
 * whitespace or control character (browsers drop tabs and newlines, so
 * `/\t/evil.example` would become `//evil.example`). No `#`: the sign-in
 * answer is the fragment.
 */
const SAME_ORIGIN_PATH = /^\/(?![/\\])[^\s\x00-\x1f\x7f#]*$/;
/** GET /admin/v1/auth/oidc/start. */
export const oidcStartQuery = z.object({
  returnTo: z
    .string()
    .max(500)
    .regex(SAME_ORIGIN_PATH, 'must be a path on this origin: one leading /, not // or /\\, no whitespace or #')
    .default(DEFAULT_RETURN_TO),
});
export type OidcStartQuery = z.infer<typeof oidcStartQuery>;

// ---- Who is calling ----

/** Who a write is audited as (SPEC §14): never a secret. */
export interface Actor {
  kind: 'root' | 'operator' | 'api_key';
  /** `op_…` or `key_…`; null for the root key. */
  id: string | null;
}

/** A resolved /admin/v1 caller, as the gateway caches it. */
export type Caller =
  | { kind: 'root' }
  | { kind: 'operator'; id: string; name: string; email: string; roles: Record<string, Role>; expiresAt: string }
  | { kind: 'api_key'; id: string; name: string; workspaceId: string; role: Exclude<Role, 'owner'> };

/** What a service writes into its audit log beside the change (SPEC §14), handed down by the gateway. */
export interface AuditContext {
  actor: Actor;
  requestId: string;
  address: string | null;
}
export interface Audited {
  audit?: AuditContext;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: Actor;
  action: string;
  targetType: string;
  targetId: string | null;
  requestId: string | null;
  address: string | null;
}

/** Every service that records operator writes answers one page of its own audit log on `<service>.audit-log`; the gateway merges them. */
export type AuditLogRpc = Rpc<{ workspaceId: string } & PageQuery, Page<AuditEntry>>;
export const auditLogRpc = (service: ServiceName): AuditLogRpc => rpc(`${service}.audit-log`);

// ---- Replies ----

export interface Membership {
  workspaceId: string;
  role: Role;
}

export interface OperatorView {
  id: string;
  email: string;
  name: string;
  memberships: Membership[];
}

export interface LoginReply {
  token: string;
  expiresAt: string;
  operator: OperatorView;
}

export interface Member {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: 'invited' | 'active';
  createdAt: string;
  /** In the member list (SPEC §14 presence): `offline` (no operator socket open in the workspace), or the status it set while one is. */
  presence?: PresenceStatus | 'offline';
}

export interface ApiKeyView {
  id: string;
  name: string;
  role: 'admin' | 'agent';
  createdAt: string;
  lastUsedAt: string | null;
}

export interface Team {
  id: string;
  workspaceId: string;
  name: string;
  memberIds: string[];
  createdAt: string;
}

/** An operator's presence in one workspace (SPEC §14): what it set, and whether routing counts it. */
export interface Presence {
  workspaceId: string;
  operatorId: string;
  /** What the operator set (`online` until it says otherwise). */
  status: PresenceStatus;
  /** At least one operator socket of this account is open in the workspace, on a live realtime replica. */
  connected: boolean;
  /** Connected and not away: routing may assign to it. */
  present: boolean;
}

/**
 * One realtime replica's operator sockets (accounts only), sent whole on every change and every heartbeat: it
 * replaces what that replica reported before, and expires `ttlMs` after it was received unless renewed, so a
 * crashed replica's sockets stop counting. `seq` grows with every report of a replica; an older one is ignored.
 */
export interface PresenceReport {
  replicaId: string;
  seq: number;
  ttlMs: number;
  sockets: { workspaceId: string; operatorId: string }[];
}

/** A present member of a team, as an assignee. */
export interface PresentMember {
  id: string;
  name: string;
}

/** `GET /admin/v1/auth/options`. */
export interface AuthOptionsReply {
  /** Single sign-on is configured: the inbox shows its button (GET /auth/oidc/start). */
  sso: boolean;
}

/** `GET /admin/v1/me`: the account, or what the key is. */
export type MeReply = { kind: 'operator'; operator: OperatorView } | { kind: 'api_key'; key: ApiKeyView & { workspaceId: string } } | { kind: 'root' };

type Scoped = { workspaceId: string } & Audited;

// ---- NATS subjects ----

export const TeamRpc = {
  login: rpc<LoginBody, LoginReply>('team.auth.login'),
  acceptInvite: rpc<AcceptInviteBody, LoginReply>('team.auth.accept-invite'),
  /** Single sign-on: the member whose email the provider asserted as verified (invalid_credentials otherwise). */
  ssoLogin: rpc<{ email: string }, LoginReply>('team.auth.sso-login'),
  logout: rpc<{ token: string }, { revoked: true }>('team.auth.logout'),
  /** `opt_…` or `wsk_…` → the caller; invalid_token or auth_expired otherwise. */
  authenticate: rpc<{ token: string }, Exclude<Caller, { kind: 'root' }>>('team.auth.authenticate'),
  me: rpc<{ operatorId: string }, OperatorView>('team.me'),

  inviteMember: rpc<Scoped & Idempotent & MemberCreateBody & { callerRole: Role | 'root' }, { member: Member; inviteToken: string }>('team.member.invite'),
  listMembers: rpc<{ workspaceId: string }, Member[]>('team.member.list'),
  patchMember: rpc<Scoped & { memberId: string; role: Role; callerRole: Role | 'root' }, Member>('team.member.patch'),
  removeMember: rpc<Scoped & { memberId: string; callerRole: Role | 'root' }, { removed: true }>('team.member.remove'),

  createApiKey: rpc<Scoped & Idempotent & ApiKeyCreateBody, { key: ApiKeyView; secret: string }>('team.api-key.create'),
  listApiKeys: rpc<{ workspaceId: string }, ApiKeyView[]>('team.api-key.list'),
  revokeApiKey: rpc<Scoped & { keyId: string }, { revoked: true }>('team.api-key.revoke'),

  createTeam: rpc<Scoped & Idempotent & TeamCreateBody, Team>('team.team.create'),
  listTeams: rpc<{ workspaceId: string }, Team[]>('team.team.list'),

  /** Presence (SPEC §14): an account sets itself online or away (gateway route, operator socket). */
  setPresence: rpc<{ workspaceId: string; operatorId: string; status: PresenceStatus }, Presence>('team.presence.set'),
  /** A realtime replica's operator sockets (realtime only). */
  reportPresence: rpc<PresenceReport, { accepted: boolean }>('team.presence.report'),
  /** The present members of a team of that workspace, by id (conversation routing); [] for another workspace's team. */
  presentMembers: rpc<{ workspaceId: string; teamId: string }, PresentMember[]>('team.presence.team'),
  /** Whether any active member of the workspace is present, whatever their role or team (SPEC §15 availability). */
  workspacePresent: rpc<{ workspaceId: string }, { present: boolean }>('team.presence.workspace'),
  /** Issue 22: the caller's own email notifications in a workspace (operator accounts only). */
  setNotifications: rpc<{ workspaceId: string; operatorId: string } & NotificationsBody, NotificationSettings>('team.notifications.set'),
  /** Issue 22: the active members who asked to be emailed a new conversation that starts while nobody is present. */
  notificationRecipients: rpc<{ workspaceId: string }, NotifiedMember[]>('team.notifications.recipients'),

  auditLog: auditLogRpc('team'),
} as const;

export interface AccessChanged {
  /** One token ended (logout). */
  tokenHash?: string;
  /** Every token of this operator must be resolved again (role changed, removed). */
  operatorId?: string;
  /** This key was revoked. */
  apiKeyId?: string;
}

export const TeamEvents = {
  /** Broadcast (no queue group), before the change is answered: every gateway replica drops what it cached. */
  accessChanged: event<AccessChanged>('team.access.changed'),
} as const;
