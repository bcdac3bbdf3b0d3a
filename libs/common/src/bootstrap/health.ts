import { Controller, Get, HttpCode, Injectable, Res, Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { HealthRpc, ServiceName } from '@widget/contracts';
import { DataSource } from 'typeorm';
import { NatsBus } from '../nats';

/** A service is ready when its database answers and a ping through NATS comes back. */
@Injectable()
export class ServiceReadiness {
  private shuttingDown = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: NatsBus,
  ) {}

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async check(service: ServiceName): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const [database, nats] = await Promise.all([
      this.dataSource
        .query('SELECT 1')
        .then(() => true)
        .catch(() => false),
      this.bus
        .send(HealthRpc[service], {}, { timeoutMs: 1000 })
        .then(() => true)
        .catch(() => false),
    ]);
    const checks = { database, nats, accepting: !this.shuttingDown };
    return { ready: database && nats && !this.shuttingDown, checks };
  }
}

interface ReplyLike {
  status(code: number): ReplyLike;
  send(body: unknown): void;
}

/** The probe endpoints and the NATS ping of one service, as one controller class. */
export function serviceHealthController(service: ServiceName): Type<unknown> {
  @Controller('health')
  class HealthController {
    constructor(private readonly readiness: ServiceReadiness) {}

    @Get('live')
    @HttpCode(200)
    live() {
      return { status: 'ok', service };
    }

    @Get('ready')
    async ready(@Res() reply: ReplyLike) {
      const result = await this.readiness.check(service);
      reply.status(result.ready ? 200 : 503).send({ status: result.ready ? 'ok' : 'unavailable', service, ...result });
    }

    @MessagePattern(HealthRpc[service].subject)
    ping() {
      return { service, ok: true as const };
    }
  }
  return HealthController;
}
