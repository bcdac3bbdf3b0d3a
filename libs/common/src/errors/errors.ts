import { ZodError } from 'zod';
import { NOT_FOUND, NotFoundKind } from '@widget/contracts';
import { AppError, ErrorDetail } from './app-error';

/** The one place a not-found error is made (gateway and services alike). */
export function notFound(kind: NotFoundKind): AppError {
  const entry = NOT_FOUND[kind];
  return new AppError(entry.code, entry.message, { reason: entry.reason });
}

/** Factories for the errors raised in more than one place. */
export const Errors = {
  validation: (details: ErrorDetail[], message = 'The request is not valid.') =>
    new AppError('validation_error', message, { reason: 'invalid_fields', details }),
  notFound,
  internal: () => new AppError('internal_error', 'Something went wrong on our side.', { reason: 'unexpected' }),
  upstreamUnavailable: () =>
    new AppError('internal_error', 'A service did not answer in time.', { reason: 'upstream_unavailable', status: 503 }),
  /** PostgreSQL is away (cut, restarting, out of connections): retry, with the same Idempotency-Key or clientMessageId (isDatabaseUnavailable). */
  databaseUnavailable: () =>
    new AppError('internal_error', 'The database is not reachable right now; retry shortly.', { reason: 'database_unavailable', status: 503 }),
  /**
   * A realtime handshake past REALTIME_HANDSHAKES_IN_FLIGHT (or its time-out): refused at once; `retryAfterSeconds`
   * is the client's turn (the realtime service's AdmissionPacer), else it retries after a jittered backoff.
   */
  serverBusy: (retryAfterSeconds?: number) =>
    new AppError('internal_error', 'The realtime service is busy; retry shortly.', { reason: 'server_busy', status: 503, retryAfterSeconds }),
  /** SPEC §14: the caller's role in its own workspace is too low. */
  forbidden: (reason = 'role_required') => new AppError('forbidden', 'Your role may not do this.', { reason }),
  /** Presence (SPEC §14) is a person's: the root key and API keys have none. */
  operatorRequired: () => new AppError('forbidden', 'Only a signed-in operator account has a presence.', { reason: 'operator_required' }),
  invalidToken: (reason: string) => new AppError('invalid_token', 'The token is not valid.', { reason }),
  authExpired: () => new AppError('auth_expired', 'The session has expired; refresh or start a new one.', { reason: 'session_expired' }),
  widgetDisabled: (reason = 'widget_disabled') =>
    new AppError('widget_disabled', reason === 'feature_disabled' ? 'This feature is turned off for the widget.' : 'The widget is disabled.', { reason }),
  /** identity.anonymousAllowed is false: anonymous sessions are refused (new ones, and existing ones on their next request). */
  anonymousNotAllowed: () => new AppError('widget_disabled', 'This widget only accepts identified visitors.', { reason: 'anonymous_not_allowed' }),
  realtimeTokenExpired: () => new AppError('auth_expired', 'The realtime token has expired.', { reason: 'realtime_token_expired' }),
  invalidOrigin: (reason: string) => new AppError('invalid_origin', 'The request origin is not allowed for this widget.', { reason }),
};

/** Turns zod issues into `details` with dotted field paths. */
export function zodDetails(error: ZodError, root?: string): ErrorDetail[] {
  return error.issues.map((issue) => {
    const path = [root, ...issue.path].filter((p) => p !== undefined && p !== '').join('.');
    return { field: path || '(body)', reason: issue.message };
  });
}
