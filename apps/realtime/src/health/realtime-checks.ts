import { Injectable, OnModuleInit } from '@nestjs/common';
import { NatsBus, Readiness } from '@widget/common';
import { SocketHub } from '../socket-hub';

/** Realtime is ready while NATS is connected (and not draining: the kit's `accepting`); /health/ready also counts its sockets. */
@Injectable()
export class RealtimeChecks implements OnModuleInit {
  constructor(
    private readonly readiness: Readiness,
    private readonly bus: NatsBus,
    private readonly hub: SocketHub,
  ) {}

  onModuleInit(): void {
    this.readiness.register('nats', () => this.bus.connected);
    this.readiness.describe(() => ({ sockets: this.hub.connections }));
  }
}
