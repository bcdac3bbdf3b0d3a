import { HttpException } from '@nestjs/common';
import { AppError, Errors } from '@widget/common';

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
}

export const unsupportedMediaType = () =>
  new AppError('validation_error', 'Send the body as application/json.', { reason: 'unsupported_media_type' });

/** Maps whatever was thrown on the HTTP path to the one error type; the envelope follows from it. */
export function toAppError(exception: unknown): AppError {
  if (exception instanceof AppError) return exception;
  const fastify = exception as FastifyLikeError;
  switch (fastify?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('attachment_too_large', 'The request body is too large.', { reason: 'body_too_large' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('validation_error', 'The JSON body is empty.', { reason: 'empty_body' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType();
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('validation_error', 'The body is not valid JSON.', { reason: 'malformed_json' });
    // @fastify/multipart (attachment uploads): one file part and nothing else.
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError('validation_error', 'Send exactly one file, in the part named "file".', { reason: 'one_file_only' });
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return unsupportedMediaType();
  }
  if (exception instanceof SyntaxError && fastify.statusCode === 400) {
    return new AppError('validation_error', 'The body is not valid JSON.', { reason: 'malformed_json' });
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return Errors.notFound('route');
    if (status === 413) return new AppError('attachment_too_large', 'The request body is too large.', { reason: 'body_too_large' });
    if (status === 415) return unsupportedMediaType();
    if (status === 405) return new AppError('not_found', 'No such route.', { reason: 'method_not_allowed' });
    if (status === 400) return new AppError('validation_error', 'The request could not be read.', { reason: /JSON/.test(exception.message) ? 'malformed_json' : 'bad_request' });
  }
  if (fastify?.statusCode === 413) {
    return new AppError('attachment_too_large', 'The request body is too large.', { reason: 'body_too_large' });
  }
  if (fastify?.statusCode === 415) return unsupportedMediaType();
  if (fastify?.statusCode === 400) {
    return new AppError('validation_error', 'The request could not be read.', { reason: 'bad_request' });
  }
  return Errors.internal();
}
