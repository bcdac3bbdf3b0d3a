import { Controller, Get, Res, Type } from '@nestjs/common';
import { Metrics } from './metrics';

interface ReplyLike {
  header(name: string, value: string): ReplyLike;
  send(body: unknown): void;
}

/** GET /metrics on a service's HEALTH_PORT, or realtime's own port (never the public origin: only the socket.io path is routed there). */
export function metricsController(): Type<unknown> {
  @Controller()
  class MetricsController {
    constructor(private readonly metrics: Metrics) {}

    @Get('metrics')
    async scrape(@Res() reply: ReplyLike): Promise<void> {
      reply.header('Content-Type', this.metrics.contentType).send(await this.metrics.render());
    }
  }
  return MetricsController;
}
