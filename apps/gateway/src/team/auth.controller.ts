import { Body, Req, Res } from '@nestjs/common';
import { AppError, hashToken, Limiter, NatsBus } from '@widget/common';
import { AcceptInviteBody, acceptInviteBody, Caller, LoginBody, loginBody, LoginReply, MeReply, ROUTES, TeamRpc } from '@widget/contracts';
import type { FastifyReply } from 'fastify';
import { Access, AdminRequest, CurrentCaller } from '../auth/access';
import { OperatorCallers } from '../auth/operator-callers';
import { AdminController, Route } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { chargeReply } from '../limits/limiter';
import type { LimitName } from '../limits/limits.config';

/**
 * SPEC §14: signing in and out. Failed logins are counted per address and per
 * email (docs/limits.md); once either budget is spent, logins are refused
 * before the password is looked at, until the window ends.
 */
@AdminController()
export class AuthController {
  constructor(
    private readonly bus: NatsBus,
    private readonly limiter: Limiter<LimitName>,
    private readonly callers: OperatorCallers,
  ) {}

  @Route(ROUTES.admin.login)
  @Access.public()
  async login(@Body(new ZodPipe(loginBody)) body: LoginBody, @Req() request: AdminRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<LoginReply> {
    const emailKey = hashToken(body.email);
    await chargeReply(reply, async () => {
      await this.limiter.refuseIfSpent('loginAddress', request.ip);
      await this.limiter.refuseIfSpent('loginEmail', emailKey);
    });
    try {
      return await this.bus.send(TeamRpc.login, body, { requestId: String(request.id) });
    } catch (err) {
      if (err instanceof AppError && err.reason === 'invalid_credentials') {
        await this.limiter.charge('loginAddress', request.ip);
        await this.limiter.charge('loginEmail', emailKey);
      }
      throw err;
    }
  }

  @Route(ROUTES.admin.acceptInvite)
  @Access.public()
  async acceptInvite(@Body(new ZodPipe(acceptInviteBody)) body: AcceptInviteBody, @Req() request: AdminRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<LoginReply> {
    // An invitation for a person who already has an account asks for that account's password: the same budget guards it.
    await chargeReply(reply, () => this.limiter.refuseIfSpent('loginAddress', request.ip));
    try {
      return await this.bus.send(TeamRpc.acceptInvite, body, { requestId: String(request.id) });
    } catch (err) {
      if (err instanceof AppError && err.code === 'invalid_token') await this.limiter.charge('loginAddress', request.ip);
      throw err;
    }
  }

  /** Ends this operator token on every replica at once. */
  @Route(ROUTES.admin.logout)
  @Access.caller()
  async logout(@CurrentCaller() caller: Caller, @Req() request: AdminRequest): Promise<void> {
    if (caller.kind !== 'operator') {
      throw new AppError('validation_error', 'Only an operator token signs out; revoke an API key with DELETE …/api-keys/{id}.', { reason: 'not_an_operator_token' });
    }
    await this.bus.send(TeamRpc.logout, { token: request.bearerToken! }, { requestId: String(request.id) });
    // team.access.changed reaches this replica on another NATS connection and may be read after this reply.
    this.callers.forget({ tokenHash: hashToken(request.bearerToken!) });
  }
}

@AdminController()
export class MeController {
  constructor(private readonly bus: NatsBus) {}

  @Route(ROUTES.admin.getMe)
  @Access.caller()
  async me(@CurrentCaller() caller: Caller, @Req() request: AdminRequest): Promise<MeReply> {
    if (caller.kind === 'root') return { kind: 'root' };
    if (caller.kind === 'operator') return { kind: 'operator', operator: await this.bus.send(TeamRpc.me, { operatorId: caller.id }, { requestId: String(request.id) }) };
    const keys = await this.bus.send(TeamRpc.listApiKeys, { workspaceId: caller.workspaceId }, { requestId: String(request.id) });
    const key = keys.find((k) => k.id === caller.id)!;
    return { kind: 'api_key', key: { ...key, workspaceId: caller.workspaceId } };
  }
}
