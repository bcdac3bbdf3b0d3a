import { AppError, toEnvelope } from '@widget/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { toAppError } from './to-app-error';

/** The one place an error becomes an HTTP response: status, X-Request-Id, Retry-After, envelope. */
export function sendError(exception: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
  const error = toAppError(exception);
  if (error.code === 'internal_error' && !(exception instanceof AppError)) {
    logger.error({ err: exception, requestId: request.id, route: request.routeOptions?.url }, 'unhandled error');
  }
  if (error.code === 'rate_limited' && !reply.getHeader('retry-after')) reply.header('Retry-After', '1');
  void reply
    .header('X-Request-Id', request.id)
    .header('Content-Type', 'application/json; charset=utf-8')
    .status(error.status)
    .send(toEnvelope(error, request.id));
}
