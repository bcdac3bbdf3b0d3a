import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Errors, hashRequest } from '@widget/common';
import type { IdempotencyRequest } from '@widget/contracts';
import type { FastifyRequest } from 'fastify';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * SPEC §9: the `Idempotency-Key` header of an operator create, with a hash of
 * the request (method, route, path parameters, body) so the owning service can
 * tell a retry from the same key reused for another request. Undefined when
 * the header is absent; a malformed key is a validation_error.
 */
export const IdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext): IdempotencyRequest | undefined => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
    throw Errors.validation([{ field: 'Idempotency-Key', reason: 'must be 1..255 visible ASCII characters' }]);
  }
  const requestHash = hashRequest({ method: request.method, route: request.routeOptions.url, params: request.params, body: request.body ?? null });
  return { key: header, requestHash };
});
