import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { AuditContext, Caller, Role } from '@widget/contracts';
import type { FastifyRequest } from 'fastify';

/**
 * SPEC §14: every /admin/v1 route declares who may call it, once, beside the
 * route; AdminAccessGuard reads the declaration and checks it, in one place.
 *
 * - `public`: no token (login, invitations, single sign-on).
 * - `caller`: any valid admin token (GET /me, logout).
 * - `root`: the deployment's ADMIN_API_KEY only (creating workspaces).
 * - a role in a workspace: named by a path parameter (`{ workspace: 'ws' }`)
 *   or by a resource id whose workspace the owning service knows
 *   (`{ resource: 'widget', param: 'id' }`). Outside the caller's workspaces
 *   the answer is the resource's 404; inside, a lower role is 403 forbidden.
 */
export type ResourceKind = 'widget' | 'article' | 'form' | 'conversation';
export type AccessRule =
  | { kind: 'public' }
  | { kind: 'caller' }
  | { kind: 'root' }
  | { kind: 'role'; role: Role; workspace: { param: string } | { resource: ResourceKind; param: string } };

export const ACCESS_RULE = 'admin:access';

const declare = (rule: AccessRule) => SetMetadata(ACCESS_RULE, rule);
export const Access = {
  public: () => declare({ kind: 'public' }),
  caller: () => declare({ kind: 'caller' }),
  root: () => declare({ kind: 'root' }),
  /** `Access.inWorkspace('admin')`: the role in the workspace of the path's `:ws`. */
  inWorkspace: (role: Role, param = 'ws') => declare({ kind: 'role', role, workspace: { param } }),
  /** `Access.onResource('agent', 'conversation')`: the role in the workspace of the path's `:id`. */
  onResource: (role: Role, resource: ResourceKind, param = 'id') => declare({ kind: 'role', role, workspace: { resource, param } }),
};

/** What AdminAccessGuard learned, attached to the request for the controllers. */
export interface AdminRequest extends FastifyRequest {
  caller?: Caller;
  /**
   * Role routes: the workspace the route acts in and the caller's role there
   * (`root` for the root key, which on a resource route is not looked up: null).
   */
  actsIn?: { workspaceId: string | null; role: Role | 'root' };
  bearerToken?: string;
}

export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller | undefined => ctx.switchToHttp().getRequest<AdminRequest>().caller);

/** The caller's role in the workspace the route acts in (`root` for the root key). */
export const CallerRole = createParamDecorator((_: unknown, ctx: ExecutionContext): Role | 'root' => {
  const actsIn = ctx.switchToHttp().getRequest<AdminRequest>().actsIn;
  if (!actsIn) throw new Error('CallerRole is only for routes declared with Access.inWorkspace or Access.onResource');
  return actsIn.role;
});

/** Who the services record in the audit log for this request (SPEC §14): never a secret. */
export function auditContextOf(request: AdminRequest): AuditContext {
  const caller = request.caller;
  const actor = !caller || caller.kind === 'root' ? { kind: 'root' as const, id: null } : { kind: caller.kind, id: caller.id };
  return { actor, requestId: String(request.id), address: request.ip ?? null };
}

export const Audit = createParamDecorator((_: unknown, ctx: ExecutionContext): AuditContext => auditContextOf(ctx.switchToHttp().getRequest<AdminRequest>()));
