import { Controller, Get, Res } from '@nestjs/common';
import { InjectConfig, NatsBus } from '@widget/common';
import { HealthRpc } from '@widget/contracts';
import type { FastifyReply } from 'fastify';
import type { GatewayConfig } from '../config';
import { GatewayLifecycle } from './gateway-lifecycle';

@Controller('health')
export class HealthController {
  constructor(
    private readonly bus: NatsBus,
    private readonly lifecycle: GatewayLifecycle,
    @InjectConfig() private readonly config: GatewayConfig,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok', service: 'gateway' };
  }

  /** Ready when NATS is connected and every upstream service answers a ping. */
  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const upstreams = await Promise.all(
      this.config.GATEWAY_UPSTREAMS.map(async (name) => {
        const ok = await this.bus
          .send(HealthRpc[name], {}, { timeoutMs: 1000 })
          .then(() => true)
          .catch(() => false);
        return [name, ok] as const;
      }),
    );
    const checks: Record<string, boolean> = { nats: this.bus.connected, accepting: !this.lifecycle.shuttingDown, ...Object.fromEntries(upstreams) };
    const ready = Object.values(checks).every(Boolean);
    void reply.status(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', service: 'gateway', checks });
  }
}
