import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { hashToken } from '@widget/common';
import type { FastifyRequest } from 'fastify';
import { readBearer } from '../auth/request-state';

/** Limits per session token when one is sent (visitors behind one NAT stay apart), else per client address. */
@Injectable()
export class WidgetThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const req = request as unknown as FastifyRequest;
    const token = readBearer(req);
    return token ? `token:${hashToken(token)}` : `ip:${req.ip}`;
  }
}
