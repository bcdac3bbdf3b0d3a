import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { AppError, newId, toEnvelope } from '@widget/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { sendError } from './error-reply';

/**
 * Node's own refusals, raised before fastify sees a request (a header block
 * over 16 KB, a request line that is not HTTP, a request not received within
 * `requestTimeout`): the same envelope and `X-Request-Id` as every other
 * error, then the connection is closed, and says so.
 */
export function clientErrorHandler(logger: Logger) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const error = clientErrorToAppError(err);
    const requestId = newId('request');
    logger.info({ requestId, status: error.status, reason: error.reason }, 'client error');
    // A response already under way on this socket cannot be replaced; the parser gave up on what follows.
    const busy = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (socket.writable && !busy) {
      const body = JSON.stringify(toEnvelope(error, requestId));
      socket.write(
        `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\n` +
          `Content-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          `X-Request-Id: ${requestId}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
    }
    socket.destroySoon();
  };
}

function clientErrorToAppError(err: NodeJS.ErrnoException): AppError {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new AppError('validation_error', 'The request headers are too large.', { reason: 'headers_too_large', status: 431 });
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new AppError('validation_error', 'The request was not received in time.', { reason: 'request_timeout', status: 408 });
    default:
      return new AppError('validation_error', 'The request could not be read as HTTP.', { reason: 'malformed_request', status: 400 });
  }
}

/** Fastify's refusals before routing (a bad percent-encoding, a path parameter over `maxParamLength`). */
export function frameworkErrors(logger: Logger) {
  return (err: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void => {
    const error =
      err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new AppError('validation_error', 'A path parameter is too long.', { reason: 'path_too_long', status: 414 })
        : err.code === 'FST_ERR_BAD_URL'
          ? new AppError('validation_error', 'The URL is not validly percent-encoded.', { reason: 'malformed_url' })
          : err;
    sendError(error, request, reply, logger);
  };
}

/**
 * Instead of closing at once (the kernel then answers the unread upload with
 * a reset, and the client never reads our 413), send FIN after the response
 * and keep discarding input until the client closes or `lingerMs` passes.
 */
export function lingerOnClose(socket: Socket | null, lingerMs: number): void {
  if (!socket || socket.destroyed || lingerMs === 0) return;
  socket.destroySoon = () => {
    if (socket.destroyed) return;
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.once('end', () => socket.destroy());
    socket.end();
    socket.resume();
  };
}
