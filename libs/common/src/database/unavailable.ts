/**
 * PostgreSQL being away (cut, restarting, out of connections) is not a bug of
 * the request: it is answered 503 `database_unavailable`, which clients retry,
 * and logged as a warning, not as an unhandled error. Everything else stays
 * internal_error.
 */

/** Node's socket errors a pg connection dies of. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** SQLSTATEs of a server that cannot take the statement now: class 08 (connection), 57P01-57P03 (shutting down, starting), 53300 (too many connections). */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** pg's own messages for a connection it lost or could not get (no code is set on these). */
const MESSAGES = [/^Connection terminated/, /timeout exceeded when trying to connect/, /^Client has encountered a connection error/, /^Connection is closed/];

function codeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = codeOf(e);
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08'))) return true;
    const message = e instanceof Error ? e.message : '';
    if (MESSAGES.some((pattern) => pattern.test(message))) return true;
    // TypeORM's QueryFailedError keeps pg's error as driverError; others chain it as cause.
    e = (e as { driverError?: unknown; cause?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return false;
}
