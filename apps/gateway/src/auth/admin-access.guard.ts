import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, Errors } from '@widget/common';
import { Caller, Role, roleAtLeast } from '@widget/contracts';
import { ACCESS_RULE, AccessRule, AdminRequest } from './access';
import { OperatorCallers } from './operator-callers';
import { readBearer } from './request-state';
import { ResourceWorkspaces } from './resource-workspaces';

/**
 * The one authorization check of /admin/v1 (SPEC §14): the caller is
 * resolved once (root key, operator token or workspace API key), then the
 * route's declared rule is applied. A route without a declaration is refused
 * (and test/admin-access.e2e-spec.ts fails on it).
 */
@Injectable()
export class AdminAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly callers: OperatorCallers,
    private readonly resources: ResourceWorkspaces,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]);
    if (!rule) throw new Error(`${context.getClass().name}.${context.getHandler().name} declares no access rule`);
    if (rule.kind === 'public') return true;

    const request = context.switchToHttp().getRequest<AdminRequest>();
    const token = readBearer(request);
    if (!token) throw new AppError('auth_required', 'Send an operator token, a workspace API key or the root key as a Bearer token.', { reason: 'missing_token' });
    request.bearerToken = token;
    const caller = await this.callers.resolve(token, String(request.id));
    request.caller = caller;

    if (rule.kind === 'caller') return true;
    if (rule.kind === 'root') {
      if (caller.kind !== 'root') throw Errors.forbidden();
      return true;
    }
    const params = (request.params ?? {}) as Record<string, string>;
    const scope = rule.workspace;
    let workspaceId: string;
    if ('resource' in scope) {
      // The root key sees everything; the owning service still answers its own 404 for an unknown id.
      if (caller.kind === 'root') return this.acts(request, null, 'root');
      workspaceId = await this.resources.of(scope.resource, params[scope.param], String(request.id));
      const role = roleIn(caller, workspaceId);
      if (!role) throw Errors.notFound(scope.resource);
      return this.check(request, workspaceId, role, rule.role);
    }
    workspaceId = params[scope.param];
    if (caller.kind === 'root') return this.acts(request, workspaceId, 'root');
    const role = roleIn(caller, workspaceId);
    if (!role) throw Errors.notFound('workspace');
    return this.check(request, workspaceId, role, rule.role);
  }

  private check(request: AdminRequest, workspaceId: string, role: Role, needed: Role): boolean {
    if (!roleAtLeast(role, needed)) throw Errors.forbidden();
    return this.acts(request, workspaceId, role);
  }

  private acts(request: AdminRequest, workspaceId: string | null, role: Role | 'root'): boolean {
    request.actsIn = { workspaceId, role };
    return true;
  }
}

/** The caller's role in a workspace; undefined when it is none of its own (then the answer is 404). */
function roleIn(caller: Caller, workspaceId: string): Role | undefined {
  if (caller.kind === 'operator') return Object.prototype.hasOwnProperty.call(caller.roles, workspaceId) ? caller.roles[workspaceId] : undefined;
  if (caller.kind === 'api_key') return caller.workspaceId === workspaceId ? caller.role : undefined;
  return undefined;
}
