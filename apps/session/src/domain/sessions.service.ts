import { Injectable } from '@nestjs/common';
import { AppError, Errors, hashToken, InjectConfig, NatsBus, newId, newOpaqueToken } from '@widget/common';
import {
  AnonymousReply,
  AnonymousSessionBody,
  ConversationRpc,
  EndUser,
  OPERATOR_REALTIME_TOKEN_PREFIX,
  OperatorContext,
  SessionContext,
  SessionEvents,
  SessionReply,
  SessionRevoked,
  SessionView,
  VisitorProfile,
} from '@widget/contracts';
import type { SessionConfig } from '../config';
import { EndUserEntity, SessionEntity, WidgetEntity } from '../persistence/entities';
import { SessionRepository } from '../persistence/session.repository';
import { IdentityVerifier } from './identity-verifier';
import { WidgetsService } from './widgets.service';

export const SESSION_TOKEN_PREFIX = 'wst';
export const REALTIME_TOKEN_PREFIX = 'wrt';
/** Sliding expiry is written at most this often per session, not on every request. */
const SLIDE_GRANULARITY_MS = 5 * 60_000;

@Injectable()
export class SessionsService {
  constructor(
    private readonly repo: SessionRepository,
    private readonly widgets: WidgetsService,
    private readonly verifier: IdentityVerifier,
    private readonly bus: NatsBus,
    @InjectConfig() private readonly config: SessionConfig,
  ) {}

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
   */
  async identify(current: SessionContext | null, target: { workspaceId: string; widgetId: string }, jwt: string): Promise<SessionReply> {
    const { row: widget, secret } = await this.widgets.loadWithSecret(target.widgetId);
    if (widget.workspaceId !== target.workspaceId) throw Errors.notFound('widget');
    if (!widget.config.enabled) throw Errors.widgetDisabled();
    const claims = await this.verifier.verify(jwt, secret);
    if (claims.workspaceId !== widget.workspaceId || claims.widgetId !== widget.id) throw Errors.invalidToken('widget_mismatch');
    if (claims.jti && (await this.repo.isJtiUsed(widget.id, claims.jti))) throw Errors.invalidToken('jti_reused');

    const userId = newId('user');
    const merge = widget.config.identity.allowAnonymousToIdentifiedMerge && current?.identityType === 'anonymous';
    if (merge && current) {
      // The user row id must be known before the merge: create it first (idempotent upsert).
      const user = await this.repo.transaction((m) => this.repo.upsertUser(userId, this.profile(claims, widget), m));
      await this.bus.send(ConversationRpc.mergeSession, {
        workspaceId: widget.workspaceId,
        fromSessionId: current.sessionId,
        toUserId: user.id,
      });
    }

    const token = newOpaqueToken(SESSION_TOKEN_PREFIX);
    const { session, revokedHash } = await this.repo.transaction(async (m) => {
      if (claims.jti) {
        const fresh = await this.repo.consumeJti({ widgetId: widget.id, jti: claims.jti, expiresAt: new Date(claims.exp * 1000) }, m);
        if (!fresh) throw Errors.invalidToken('jti_reused');
      }
      const user = await this.repo.upsertUser(userId, this.profile(claims, widget), m);
      const created = await this.repo.insertSession(this.newSession(widget, token, user.id, null), m);
      const revoked = current ? await this.repo.revoke(current.sessionId, m) : null;
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

  /** Slides the expiry a full TTL forward; the token stays the same (see docs/api.md). */
  async refresh(current: SessionContext, token: string): Promise<SessionReply> {
    const session = await this.authenticateSession(token);
    if (session.id !== current.sessionId) throw Errors.invalidToken('unknown_token');
    session.expiresAt = new Date(Date.now() + this.config.SESSION_TTL_SECONDS * 1000);
    await this.repo.extend(session.id, session.expiresAt);
    return this.reply(session, token);
  }

  async shutdown(current: SessionContext): Promise<void> {
    const tokenHash = await this.repo.revoke(current.sessionId);
    if (tokenHash) await this.announceRevoked({ sessionId: current.sessionId, tokenHash, reason: 'shutdown' });
  }

  async realtimeToken(current: SessionContext): Promise<{ token: string; expiresAt: string }> {
    const token = newOpaqueToken(REALTIME_TOKEN_PREFIX);
    const expiresAt = new Date(Date.now() + this.config.REALTIME_TOKEN_TTL_SECONDS * 1000);
    await this.repo.insertRealtimeToken({ tokenHash: hashToken(token), sessionId: current.sessionId, expiresAt });
    return { token, expiresAt: expiresAt.toISOString() };
  }

  /** The operator feed (SPEC §10): one workspace, as short-lived as visitors' realtime tokens; only the hash is stored. */
  async operatorRealtimeToken(workspaceId: string): Promise<{ token: string; expiresAt: string }> {
    await this.widgets.requireWorkspace(workspaceId);
    const token = newOpaqueToken(OPERATOR_REALTIME_TOKEN_PREFIX);
    const expiresAt = new Date(Date.now() + this.config.REALTIME_TOKEN_TTL_SECONDS * 1000);
    await this.repo.insertOperatorToken({ tokenHash: hashToken(token), workspaceId, expiresAt });
    return { token, expiresAt: expiresAt.toISOString() };
  }

  async authenticateOperatorRealtime(token: string): Promise<OperatorContext> {
    if (!token.startsWith(`${OPERATOR_REALTIME_TOKEN_PREFIX}_`)) throw Errors.invalidToken('not_an_operator_token');
    const row = await this.repo.findOperatorToken(hashToken(token));
    if (!row) throw Errors.invalidToken('unknown_token');
    if (row.expiresAt.getTime() <= Date.now()) throw Errors.realtimeTokenExpired();
    return { workspaceId: row.workspaceId, expiresAt: row.expiresAt.toISOString() };
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
    const row = await this.repo.findRealtimeToken(hashToken(token));
    if (!row) throw Errors.invalidToken('unknown_token');
    if (row.expiresAt.getTime() <= Date.now()) throw Errors.realtimeTokenExpired();
    const session = await this.repo.findById(row.sessionId);
    return toContext(this.checkUsable(session));
  }

  private async authenticateSession(token: string): Promise<SessionEntity> {
    const session = this.checkUsable(await this.repo.findByTokenHash(hashToken(token)));
    const slideTo = Date.now() + this.config.SESSION_TTL_SECONDS * 1000;
    if (slideTo - session.expiresAt.getTime() > SLIDE_GRANULARITY_MS) {
      session.expiresAt = new Date(slideTo);
      await this.repo.extend(session.id, session.expiresAt);
    }
    return session;
  }

  private checkUsable(session: SessionEntity | null): SessionEntity {
    if (!session) throw Errors.invalidToken('unknown_token');
    if (session.revokedAt) throw Errors.invalidToken('revoked');
    if (session.expiresAt.getTime() <= Date.now()) throw Errors.authExpired();
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

  private newSession(widget: WidgetEntity, token: string, userId: string | null, locale: string | null): SessionEntity {
    const now = new Date();
    return {
      id: newId('session'),
      workspaceId: widget.workspaceId,
      widgetId: widget.id,
      userId,
      identityType: userId ? 'identified' : 'anonymous',
      tokenHash: hashToken(token),
      locale,
      expiresAt: new Date(now.getTime() + this.config.SESSION_TTL_SECONDS * 1000),
      revokedAt: null,
      createdAt: now,
    };
  }

  private profile(claims: { sub: string; email: string | null; name: string | null; companyId: string | null }, widget: WidgetEntity) {
    return { workspaceId: widget.workspaceId, externalId: claims.sub, email: claims.email, name: claims.name, companyId: claims.companyId };
  }

  private async reply(session: SessionEntity, token: string): Promise<SessionReply> {
    const user = session.userId ? await this.repo.findUser(session.userId) : null;
    const view: SessionView = {
      id: session.id,
      workspaceId: session.workspaceId,
      widgetId: session.widgetId,
      identityType: session.identityType,
      user: user ? toEndUser(user) : null,
      expiresAt: session.expiresAt.toISOString(),
    };
    return { session: view, token, expiresAt: view.expiresAt };
  }

  /** The visitor behind a conversation (operator API). The session row outlives revocation, so this only misses for foreign ids. */
  async visitor(workspaceId: string, sessionId: string, userId: string | null): Promise<VisitorProfile> {
    const session = await this.repo.findById(sessionId);
    if (!session || session.workspaceId !== workspaceId) throw Errors.notFound('visitor');
    const user = userId ? await this.repo.findUser(userId) : null;
    return {
      sessionId: session.id,
      widgetId: session.widgetId,
      identityType: user ? 'identified' : session.identityType,
      locale: session.locale,
      since: session.createdAt.toISOString(),
      user: user && user.workspaceId === workspaceId ? toEndUser(user) : null,
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
  return { id: user.id, externalId: user.externalId, email: user.email, name: user.name, companyId: user.companyId };
}
