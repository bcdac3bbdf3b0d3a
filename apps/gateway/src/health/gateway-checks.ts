import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConfig, NatsBus, Readiness } from '@widget/common';
import { HealthRpc } from '@widget/contracts';
import type { GatewayConfig } from '../config';

/** The gateway is ready when NATS is connected and every upstream service answers a ping. */
@Injectable()
export class GatewayChecks implements OnModuleInit {
  constructor(
    private readonly readiness: Readiness,
    private readonly bus: NatsBus,
    @InjectConfig() private readonly config: GatewayConfig,
  ) {}

  onModuleInit(): void {
    this.readiness.register('nats', () => this.bus.connected);
    for (const name of this.config.GATEWAY_UPSTREAMS) {
      this.readiness.register(name, () => this.bus.send(HealthRpc[name], {}, { timeoutMs: 1000 }).then(() => true));
    }
  }
}
