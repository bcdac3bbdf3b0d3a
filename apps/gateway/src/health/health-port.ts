import { createServer, Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Metrics } from '@widget/common';
import type { FastifyInstance } from 'fastify';

const PROBES = new Set(['/health/live', '/health/ready']);

/**
 * The gateway's internal port (HEALTH_PORT), as every service has one: /metrics
 * lives only here, never on the public origin, and the probes answer here too.
 * Not routed by the ingress nor published by compose.
 */
export function createHealthServer(app: NestFastifyApplication, metrics: Metrics): Server {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = async (): Promise<void> => {
      if (req.method === 'GET' && path === '/metrics') {
        const text = await metrics.render();
        res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(text);
      } else if (req.method === 'GET' && PROBES.has(path)) {
        const probe = await fastify.inject({ method: 'GET', url: path });
        res.writeHead(probe.statusCode, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(probe.body);
      } else {
        res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: { code: 'not_found', message: 'Not found.', recoverable: false } }));
      }
    };
    answer().catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: { code: 'internal_error', message: 'Unexpected error.', recoverable: true } }));
    });
  });
}
