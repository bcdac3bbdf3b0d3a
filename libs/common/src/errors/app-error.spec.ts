import { AppError, ERROR_CODES, toEnvelope } from './app-error';
import { Errors } from './errors';

describe('AppError', () => {
  it('takes status and recoverability from its code, unless the status is overridden', () => {
    const err = new AppError('conversation_not_found', 'nope');
    expect(err.status).toBe(404);
    expect(err.recoverable).toBe(false);
    expect(Errors.upstreamUnavailable()).toMatchObject({ code: 'internal_error', status: 503, recoverable: true, reason: 'upstream_unavailable' });
  });

  it('crosses the wire intact', () => {
    const err = new AppError('validation_error', 'bad', { reason: 'client_message_id_reused', status: 409, details: [{ field: 'text', reason: 'x' }] });
    const wire = JSON.parse(JSON.stringify(err.toWire()));
    expect(AppError.isWire(wire)).toBe(true);
    const back = AppError.fromWire(wire);
    expect(back).toBeInstanceOf(AppError);
    expect(back.toWire()).toEqual(err.toWire());
  });

  it('does not mistake other objects for wire errors', () => {
    expect(AppError.isWire({ code: 'ECONNREFUSED', message: 'x' })).toBe(false);
    expect(AppError.isWire(null)).toBe(false);
    expect(AppError.isWire('internal_error')).toBe(false);
  });

  it('renders the SPEC §3 envelope', () => {
    const env = toEnvelope(new AppError('rate_limited', 'slow down', { reason: 'rate_limited' }), 'req_1');
    expect(env).toEqual({ error: { code: 'rate_limited', message: 'slow down', reason: 'rate_limited', requestId: 'req_1', recoverable: true } });
  });

  it('covers every code of the spec', () => {
    expect(Object.keys(ERROR_CODES).sort()).toEqual(
      [
        'validation_error', 'message_invalid', 'auth_required', 'invalid_token', 'auth_expired', 'invalid_origin', 'widget_disabled',
        'conversation_not_found', 'article_not_found', 'form_not_found', 'not_found', 'forbidden', 'attachment_too_large', 'unsupported_file_type', 'rate_limited', 'internal_error',
      ].sort(),
    );
  });
});
