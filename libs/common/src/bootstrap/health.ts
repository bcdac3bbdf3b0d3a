import { Controller, Get, HttpCode, Injectable, OnModuleInit, Res, Type } from '@nestjs/common';
import { HealthRpc, ServiceName } from '@widget/contracts';
import { DataSource } from 'typeorm';
import { Handles, NatsBus } from '../nats';

/** A named readiness check: true when the part it looks at works. A check that throws counts as false. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

/**
 * One app's readiness: `accepting` (false from the moment the app drains) and
 * the checks its parts register (`readiness.register('database', …)`).
 * /health/ready reports every check by name; ready when all pass.
 */
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();
  private details?: () => Record<string, unknown>;
  private draining = false;

  constructor(readonly service: string) {}

  register(name: string, check: ReadinessCheck): void {
    if (name === 'accepting' || this.checks.has(name)) throw new Error(`readiness check "${name}" registered twice`);
    this.checks.set(name, check);
  }

  /** Extra fields of the /health/ready body (realtime: its socket count). */
  describe(details: () => Record<string, unknown>): void {
    this.details = details;
  }

  markDraining(): void {
    this.draining = true;
  }

  get accepting(): boolean {
    return !this.draining;
  }

  async check(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const results = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          return [name, (await check()) === true] as const;
        } catch {
          return [name, false] as const;
        }
      }),
    );
    const checks: Record<string, boolean> = { ...Object.fromEntries(results), accepting: !this.draining };
    return { ready: Object.values(checks).every(Boolean), checks };
  }

  /** The /health/ready body and its status. */
  async report(): Promise<{ status: number; body: Record<string, unknown> }> {
    const { ready, checks } = await this.check();
    return { status: ready ? 200 : 503, body: { status: ready ? 'ok' : 'unavailable', service: this.service, checks, ...this.details?.() } };
  }
}

interface ReplyLike {
  status(code: number): ReplyLike;
  send(body: unknown): void;
}

/** GET /health/live and /health/ready of one app. */
export function healthController(service: string): Type<unknown> {
  @Controller('health')
  class HealthController {
    constructor(private readonly readiness: Readiness) {}

    @Get('live')
    @HttpCode(200)
    live() {
      return { status: 'ok', service };
    }

    @Get('ready')
    async ready(@Res() reply: ReplyLike) {
      const { status, body } = await this.readiness.report();
      reply.status(status).send(body);
    }
  }
  return HealthController;
}

type Pong = { service: ServiceName; ok: true };

/** The NATS ping a service answers (its own readiness and the gateway's ask it). */
export function healthPingController(service: ServiceName): Type<unknown> {
  @Controller()
  class HealthPingController {
    @Handles(HealthRpc[service])
    // Typed as the decorator's handler (a value or a promise of it).
    ping(_req: Record<string, never>): Pong | Promise<Pong> {
      return { service, ok: true as const };
    }
  }
  return HealthPingController;
}

/** A service is ready when its database answers and a ping through NATS comes back. */
export function serviceChecks(service: ServiceName): Type<unknown> {
  @Injectable()
  class ServiceChecks implements OnModuleInit {
    constructor(
      private readonly readiness: Readiness,
      private readonly dataSource: DataSource,
      private readonly bus: NatsBus,
    ) {}

    onModuleInit(): void {
      this.readiness.register('database', () => this.dataSource.query('SELECT 1').then(() => true));
      this.readiness.register('nats', () => this.bus.send(HealthRpc[service], {}, { timeoutMs: 1000 }).then(() => true));
    }
  }
  return ServiceChecks;
}
