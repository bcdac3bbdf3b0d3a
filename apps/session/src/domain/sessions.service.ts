import { Injectable } from '@nestjs/common';
import { AppError, Errors, hashToken, InjectConfig, NatsBus, newOpaqueToken, RealtimeTokens, Tx, UnitOfWork } from '@widget/common';
import {
  AnonymousReply,
  AnonymousSessionBody,
  ConversationRpc,
  EndUser,
  OPERATOR_REALTIME_TOKEN_PREFIX,
  REALTIME_TOKEN_PREFIX,
  OperatorPrincipal,
  SessionContext,
  SessionEvents,
  SessionReply,
  SessionRevoked,
  SessionView,
  TRAITS_MAX_BYTES,
  OperatorVisitor,
  UpdateSessionBody,
} from '@widget/contracts';
import type { SessionConfig } from '../config';
import { EndUserEntity, SessionEntity, WidgetEntity } from '../persistence/entities';
import { EndUserProfile, SessionRepository } from '../persistence/session.repository';
import { IdentityClaims, IdentityVerifier } from './identity-verifier';
import { WidgetsService } from './widgets.service';

export const SESSION_TOKEN_PREFIX = 'wst';
/** Sliding expiry is written at most this often per session, not on every request. */
const SLIDE_GRANULARITY_MS = 5 * 60_000;

/** What identify was given: a JWT (`token`) or an unverified `user`, and the Bearer session token. */
export interface IdentifyInput {
  token?: string;
  user?: { id: string; email?: string; name?: string };
  company?: { id: string; name?: string; plan?: string };
  sessionToken?: string;
}

type Claims = Omit<IdentityClaims, 'workspaceId' | 'widgetId'> & { companyName: string | null; companyPlan: string | null; verified: boolean };

@Injectable()
export class SessionsService {
  constructor(
    private readonly repo: SessionRepository,
    private readonly widgets: WidgetsService,
    private readonly verifier: IdentityVerifier,
    private readonly bus: NatsBus,
    private readonly uow: UnitOfWork,
    @InjectConfig() private readonly config: SessionConfig,
  ) {
    this.realtimeTokens = new RealtimeTokens(config.REALTIME_TOKEN_SECRET, config.REALTIME_TOKEN_SECRET_PREVIOUS);
  }

  /** Signed realtime tokens (issue 26): the realtime service verifies them itself; nothing is stored. */
  private readonly realtimeTokens: RealtimeTokens;

  async anonymous(body: AnonymousSessionBody & { resumeToken?: string }): Promise<AnonymousReply> {
    const { row: widget } = await this.widgets.loadWithSecret(body.widgetId);
    if (widget.workspaceId !== body.workspaceId) throw Errors.notFound('widget');
    if (!widget.config.enabled) throw Errors.widgetDisabled();

    if (body.resumeToken) {
      const resumed = await this.resume(body.resumeToken, widget.id);
      // An anonymous session of a widget that no longer allows them is not resumed (issue 13): it gets the refusal below.
      if (resumed && (resumed.identityType === 'identified' || widget.config.identity.anonymousAllowed)) return { ...(await this.reply(resumed, body.resumeToken)), created: false };
    }
    if (!widget.config.identity.anonymousAllowed) {
      throw Errors.anonymousNotAllowed();
    }
    const token = newOpaqueToken(SESSION_TOKEN_PREFIX);
    const session = await this.repo.insertSession(this.newSession(widget, token, null, body.locale ?? null));
    await this.announceStarted(session);
    return { ...(await this.reply(session, token)), created: true };
  }

  /**
   * Anonymous (or no) session + identity JWT → a new identified session with a
   * new token; the old token is revoked. With the widget's merge rule on, the
   * anonymous session's conversations move to the user first (idempotent, so
   * a failed identify can simply be retried).
   *
   * Without a JWT (`user`, allowed only when the widget's
   * jwtRequiredForIdentifiedUsers is false) the user is unverified: a user row
   * of its own for this browser, never the one a JWT proved, so it sees only
   * what this browser's sessions wrote. The same user identifying again keeps
   * the session, its token and sockets: the profile and expiry are refreshed.
   */
  async identify(current: SessionContext | null, target: { workspaceId: string; widgetId: string }, input: IdentifyInput): Promise<SessionReply> {
    const { row: widget, secret } = await this.widgets.loadWithSecret(target.widgetId);
    if (widget.workspaceId !== target.workspaceId) throw Errors.notFound('widget');
    if (!widget.config.enabled) throw Errors.widgetDisabled();
    const claims = await this.claimsOf(input, widget, secret);
    if (claims.jti && (await this.repo.isJtiUsed(widget.id, claims.jti))) throw Errors.invalidToken('jti_reused');

    const same = await this.sameUser(current, claims);
    if (same && current && input.sessionToken) return this.reidentify(current, input.sessionToken, same, claims, widget);

    const userId = this.uow.newId('user');
    const writeUser = (m: Tx) =>
      claims.verified ? this.repo.upsertUser(userId, this.profile(claims, widget), m) : this.repo.insertUnverifiedUser(userId, this.profile(claims, widget), m);
    const merge = widget.config.identity.allowAnonymousToIdentifiedMerge && current?.identityType === 'anonymous';
    let mergedUser: EndUserEntity | null = null;
    if (merge && current) {
      // The user row id must be known before the merge: create it first (idempotent upsert).
      mergedUser = await this.uow.run({}, writeUser);
      await this.bus.send(ConversationRpc.mergeSession, {
        workspaceId: widget.workspaceId,
        fromSessionId: current.sessionId,
        toUserId: mergedUser.id,
      });
    }

    const token = newOpaqueToken(SESSION_TOKEN_PREFIX);
    const { session, revokedHash } = await this.uow.run({}, async (m) => {
      if (claims.jti) {
        const fresh = await this.repo.consumeJti({ widgetId: widget.id, jti: claims.jti, expiresAt: new Date(claims.exp * 1000) }, m);
        if (!fresh) throw Errors.invalidToken('jti_reused');
      }
      // An unverified user made for the merge is this identify's own: reuse it rather than make a second.
      const user = mergedUser && !claims.verified ? mergedUser : await writeUser(m);
      const created = await this.repo.insertSession(this.newSession(widget, token, user.id, null, m), m);
      const revoked = current ? await this.repo.revoke(current.sessionId, m) : null;
      // SPEC §17: erasing the user must find the anonymous session whose conversations it took.
      if (merge && current) await this.repo.linkMerge(current.sessionId, created.userId, m);
      return { session: created, revokedHash: revoked };
    });

    if (current && revokedHash) await this.announceRevoked({ sessionId: current.sessionId, tokenHash: revokedHash, reason: 'identified' });
    await this.bus.emit(SessionEvents.identified, {
      fromSessionId: current?.sessionId ?? session.id,
      toSessionId: session.id,
      workspaceId: widget.workspaceId,
      widgetId: widget.id,
      userId: session.userId as string,
      merge,
    });
    await this.announceStarted(session);
    return this.reply(session, token);
  }

  /** PATCH /sessions/current: the visitor's profile and traits; never creates a user. */
  async updateCurrent(current: SessionContext, body: UpdateSessionBody): Promise<{ session: SessionView }> {
    const session = await this.repo.findById(current.sessionId);
    const usable = this.checkUsable(session);
    const change = {
      email: body.user?.email,
      name: body.user?.name,
      companyId: body.company?.id,
      companyName: body.company?.name,
      companyPlan: body.company?.plan,
      traits: body.user?.traits ?? {},
    };
    if (usable.userId) {
      const user = await this.repo.findUser(usable.userId);
      checkTraitsSize({ ...(user?.traits ?? {}), ...change.traits });
      await this.repo.updateUser(usable.userId, change);
    } else {
      const before = usable.visitor ?? { email: null, name: null, company: null, traits: {} };
      const company = body.company ? { id: change.companyId ?? before.company?.id ?? null, name: change.companyName ?? before.company?.name ?? null, plan: change.companyPlan ?? before.company?.plan ?? null } : before.company;
      usable.visitor = { email: change.email ?? before.email, name: change.name ?? before.name, company, traits: { ...before.traits, ...change.traits } };
      checkTraitsSize(usable.visitor.traits);
      await this.repo.setVisitor(usable.id, usable.visitor);
    }
    return { session: (await this.reply(usable, '')).session };
  }

  /** Slides the expiry a full TTL forward; the token stays the same (see docs/api.md). */
  async refresh(current: SessionContext, token: string): Promise<SessionReply> {
    const session = await this.authenticateSession(token);
    if (session.id !== current.sessionId) throw Errors.invalidToken('unknown_token');
    session.expiresAt = new Date(this.uow.now().getTime() + this.config.SESSION_TTL_SECONDS * 1000);
    await this.repo.extend(session.id, session.expiresAt);
    return this.reply(session, token);
  }

  async shutdown(current: SessionContext): Promise<void> {
    const tokenHash = await this.repo.revoke(current.sessionId);
    if (tokenHash) await this.announceRevoked({ sessionId: current.sessionId, tokenHash, reason: 'shutdown' });
  }

  realtimeToken(current: SessionContext): Promise<{ token: string; expiresAt: string }> {
    return this.realtimeTokens.visitor(current, this.config.REALTIME_TOKEN_TTL_SECONDS);
  }

  /** The operator feed (SPEC §10): one workspace, as short-lived as visitors' realtime tokens; signed, nothing stored. */
  async operatorRealtimeToken(workspaceId: string, principal: OperatorPrincipal): Promise<{ token: string; expiresAt: string }> {
    await this.widgets.requireWorkspace(workspaceId);
    return this.realtimeTokens.operator(workspaceId, principal, this.config.REALTIME_TOKEN_TTL_SECONDS);
  }

  async authenticate(token: string): Promise<SessionContext> {
    if (token.startsWith(`${REALTIME_TOKEN_PREFIX}_`) || token.startsWith(`${OPERATOR_REALTIME_TOKEN_PREFIX}_`)) {
      throw Errors.invalidToken('realtime_token_not_accepted');
    }
    return toContext(await this.authenticateSession(token));
  }

  /** The realtime service accepts its short-lived token, or a session token. */
  async authenticateRealtime(token: string): Promise<SessionContext> {
    if (!token.startsWith(`${REALTIME_TOKEN_PREFIX}_`)) return this.authenticate(token);
    const verified = await this.realtimeTokens.verify(token);
    if (verified.kind !== 'visitor') throw Errors.invalidToken('wrong_audience');
    return toContext(this.checkUsable(await this.repo.findById(verified.session.sessionId)));
  }

  private async authenticateSession(token: string): Promise<SessionEntity> {
    const session = this.checkUsable(await this.repo.findByTokenHash(hashToken(token)));
    const slideTo = this.uow.now().getTime() + this.config.SESSION_TTL_SECONDS * 1000;
    if (slideTo - session.expiresAt.getTime() > SLIDE_GRANULARITY_MS) {
      session.expiresAt = new Date(slideTo);
      await this.repo.extend(session.id, session.expiresAt);
    }
    return session;
  }

  private checkUsable(session: SessionEntity | null): SessionEntity {
    if (!session) throw Errors.invalidToken('unknown_token');
    if (session.revokedAt) throw Errors.invalidToken('revoked');
    if (session.expiresAt.getTime() <= this.uow.now().getTime()) throw Errors.authExpired();
    return session;
  }

  private async resume(token: string, widgetId: string): Promise<SessionEntity | null> {
    try {
      const session = await this.authenticateSession(token);
      return session.widgetId === widgetId ? session : null;
    } catch (err) {
      if (err instanceof AppError && (err.code === 'invalid_token' || err.code === 'auth_expired')) return null;
      throw err;
    }
  }

  private async announceStarted(session: SessionEntity): Promise<void> {
    await this.bus.emit(SessionEvents.started, {
      sessionId: session.id,
      workspaceId: session.workspaceId,
      widgetId: session.widgetId,
      identityType: session.identityType,
      at: session.createdAt.toISOString(),
    });
  }

  private async announceRevoked(revoked: SessionRevoked): Promise<void> {
    // Confirmed before the caller is answered, so every gateway replica drops the token first.
    await this.bus.emit(SessionEvents.revoked, revoked, { confirm: true });
  }

  /** A new session row, its id and time from `at` (identify's Tx; the UnitOfWork outside one). */
  private newSession(widget: WidgetEntity, token: string, userId: string | null, locale: string | null, at: Pick<Tx, 'now' | 'newId'> = this.uow): SessionEntity {
    const now = at.now();
    return {
      id: at.newId('session'),
      workspaceId: widget.workspaceId,
      widgetId: widget.id,
      userId,
      identityType: userId ? 'identified' : 'anonymous',
      tokenHash: hashToken(token),
      locale,
      expiresAt: new Date(now.getTime() + this.config.SESSION_TTL_SECONDS * 1000),
      revokedAt: null,
      visitor: null,
      createdAt: now,
    };
  }

  private profile(claims: Claims, widget: WidgetEntity): EndUserProfile {
    return {
      workspaceId: widget.workspaceId,
      externalId: claims.sub,
      email: claims.email,
      name: claims.name,
      companyId: claims.companyId,
      companyName: claims.companyName,
      companyPlan: claims.companyPlan,
    };
  }

  /** The identity JWT verified, or (widgets that allow it) the unverified `user` of the body. */
  private async claimsOf(input: IdentifyInput, widget: WidgetEntity, secret: string): Promise<Claims> {
    const jwtRequired = widget.config.identity.jwtRequiredForIdentifiedUsers;
    if (input.token !== undefined) {
      const claims = await this.verifier.verify(input.token, secret);
      if (claims.workspaceId !== widget.workspaceId || claims.widgetId !== widget.id) throw Errors.invalidToken('widget_mismatch');
      return { ...claims, companyName: null, companyPlan: null, verified: true };
    }
    if (jwtRequired) {
      throw new AppError('auth_required', 'This widget identifies users only with an identity JWT: send { token }.', { reason: 'jwt_required' });
    }
    if (!input.user) throw Errors.validation([{ field: 'user', reason: 'send token (an identity JWT) or user' }]);
    return {
      sub: input.user.id,
      exp: 0,
      jti: null,
      email: input.user.email ?? null,
      name: input.user.name ?? null,
      companyId: input.company?.id ?? null,
      companyName: input.company?.name ?? null,
      companyPlan: input.company?.plan ?? null,
      verified: false,
    };
  }

  /**
   * The current session's user when the identify names it again (same `sub`):
   * a verified session stays itself for any claim of its own id; an
   * unverified one only for another unverified claim (a JWT upgrades it).
   */
  private async sameUser(current: SessionContext | null, claims: Claims): Promise<EndUserEntity | null> {
    if (!current?.userId) return null;
    const user = await this.repo.findUser(current.userId);
    if (!user || user.externalId !== claims.sub) return null;
    return user.verified || !claims.verified ? user : null;
  }

  private async reidentify(current: SessionContext, token: string, user: EndUserEntity, claims: Claims, widget: WidgetEntity): Promise<SessionReply> {
    const session = await this.authenticateSession(token);
    if (session.id !== current.sessionId) throw Errors.invalidToken('unknown_token');
    await this.uow.run({}, async (m) => {
      if (claims.jti) {
        const fresh = await this.repo.consumeJti({ widgetId: widget.id, jti: claims.jti, expiresAt: new Date(claims.exp * 1000) }, m);
        if (!fresh) throw Errors.invalidToken('jti_reused');
      }
      const { workspaceId: _w, externalId: _e, ...change } = this.profile(claims, widget);
      await this.repo.updateUser(user.id, change, m);
    });
    session.expiresAt = new Date(this.uow.now().getTime() + this.config.SESSION_TTL_SECONDS * 1000);
    await this.repo.extend(session.id, session.expiresAt);
    return this.reply(session, token);
  }

  private async reply(session: SessionEntity, token: string): Promise<SessionReply> {
    const user = session.userId ? await this.repo.findUser(session.userId) : null;
    const view: SessionView = {
      id: session.id,
      workspaceId: session.workspaceId,
      widgetId: session.widgetId,
      identityType: session.identityType,
      user: user ? toEndUser(user) : null,
      visitor: user ? null : (session.visitor ?? null),
      expiresAt: session.expiresAt.toISOString(),
    };
    return { session: view, token, expiresAt: view.expiresAt };
  }

  /** The visitor behind a conversation (operator API). The session row outlives revocation, so this only misses for foreign ids. */
  async visitor(workspaceId: string, sessionId: string, userId: string | null): Promise<OperatorVisitor> {
    const session = await this.repo.findById(sessionId);
    if (!session || session.workspaceId !== workspaceId) throw Errors.notFound('conversation');
    const user = userId ? await this.repo.findUser(userId) : null;
    return {
      sessionId: session.id,
      widgetId: session.widgetId,
      identityType: user ? 'identified' : session.identityType,
      locale: session.locale,
      since: session.createdAt.toISOString(),
      user: user && user.workspaceId === workspaceId ? toEndUser(user) : null,
      profile: user ? null : (session.visitor ?? null),
    };
  }
}

function toContext(session: SessionEntity): SessionContext {
  return {
    sessionId: session.id,
    workspaceId: session.workspaceId,
    widgetId: session.widgetId,
    identityType: session.identityType,
    userId: session.userId,
    expiresAt: session.expiresAt.toISOString(),
  };
}

function toEndUser(user: EndUserEntity): EndUser {
  const company = user.companyId || user.companyName || user.companyPlan ? { id: user.companyId, name: user.companyName, plan: user.companyPlan } : null;
  return {
    id: user.id,
    externalId: user.externalId,
    email: user.email,
    name: user.name,
    companyId: user.companyId,
    company,
    traits: user.traits ?? {},
    verified: user.verified,
  };
}

function checkTraitsSize(traits: Record<string, unknown>): void {
  if (Buffer.byteLength(JSON.stringify(traits), 'utf8') > TRAITS_MAX_BYTES) {
    throw Errors.validation([{ field: 'user.traits', reason: `the stored traits would exceed ${TRAITS_MAX_BYTES} bytes of JSON` }]);
  }
}
