import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { EVENT_MAX_BYTES, EVENTS_PER_BATCH_MAX } from '@widget/contracts';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { WIDGET_BASE } from '../http/route-decorators';

/** A full batch (100 events of 4 KB) plus its JSON framing. */
export const EVENTS_BODY_LIMIT_BYTES = EVENTS_PER_BATCH_MAX * EVENT_MAX_BYTES + 64 * 1024;

/**
 * SPEC §8 allows batches far above the gateway's general body limit, so this
 * one route gets its own. Fastify reads a route's bodyLimit when the route is
 * added, which Nest does after providers are built: hence a constructor hook.
 */
@Injectable()
export class EventsBodyLimit {
  constructor(adapterHost: HttpAdapterHost) {
    const fastify = adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onRoute', (route: RouteOptions) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (route.url === `/${WIDGET_BASE}/events` && methods.includes('POST')) route.bodyLimit = EVENTS_BODY_LIMIT_BYTES;
    });
  }
}
