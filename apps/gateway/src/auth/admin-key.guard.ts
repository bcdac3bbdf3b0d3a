import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AppError, Errors, InjectConfig, safeEqual } from '@widget/common';
import type { GatewayConfig } from '../config';
import { readBearer, WidgetRequest } from './request-state';

/** /admin/v1: `Authorization: Bearer <ADMIN_API_KEY>`, compared in constant time. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(@InjectConfig() private readonly config: GatewayConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const token = readBearer(context.switchToHttp().getRequest<WidgetRequest>());
    if (!token) throw new AppError('auth_required', 'Send the operator API key as a Bearer token.', { reason: 'missing_token' });
    if (!safeEqual(token, this.config.ADMIN_API_KEY)) throw Errors.invalidToken('admin_key_invalid');
    return true;
  }
}
