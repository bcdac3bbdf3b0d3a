import { OPERATOR_REALTIME_TOKEN_PREFIX, OperatorContext, OperatorPrincipal, REALTIME_TOKEN_PREFIX, SessionContext } from '@widget/contracts';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Errors } from '../errors/errors';
import { secretEnv } from '../config/secrets';

/**
 * REALTIME_TOKEN_SECRET: the HS256 key the session service signs realtime tokens with and the
 * realtime service verifies them with (at least 32 bytes); REALTIME_TOKEN_SECRET_PREVIOUS, during a
 * rotation, is still accepted by the verifier (docs/realtime.md).
 */
export const realtimeTokenSecretEnv = {
  REALTIME_TOKEN_SECRET: secretEnv(
    z
      .string({ required_error: 'is required (at least 32 bytes: `openssl rand -base64 32`)' })
      .refine((v) => Buffer.byteLength(v, 'utf8') >= 32, 'must be at least 32 bytes (`openssl rand -base64 32`)'),
    { generate: '`openssl rand -base64 32`' },
  ),
  REALTIME_TOKEN_SECRET_PREVIOUS: secretEnv(
    z
      .string()
      .optional()
      .refine((v) => v === undefined || v === '' || Buffer.byteLength(v, 'utf8') >= 32, 'must be at least 32 bytes, or unset')
      .transform((v) => (v ? v : undefined)),
    { generate: 'the REALTIME_TOKEN_SECRET being replaced' },
  ),
};

const ISSUER = 'widget-session';
const AUDIENCE = { visitor: 'realtime:visitor', operator: 'realtime:operator' } as const;

const sessionClaims = z.object({
  sessionId: z.string(),
  workspaceId: z.string(),
  widgetId: z.string(),
  identityType: z.enum(['anonymous', 'identified']),
  userId: z.string().nullable(),
  expiresAt: z.string(),
});
const operatorClaims = z.object({
  workspaceId: z.string(),
  principal: z.object({ kind: z.enum(['root', 'operator', 'api_key']), id: z.string().nullable(), name: z.string().nullable(), credential: z.string().optional() }),
});

/** What a verified token says: whose socket it is, and when it was minted (revocations before that refuse it). */
export type VerifiedRealtimeToken =
  | { kind: 'visitor'; session: SessionContext; issuedAtMs: number; tokenId: string }
  | { kind: 'operator'; operator: OperatorContext; issuedAtMs: number; tokenId: string };

/**
 * Realtime tokens that verify themselves (issue 26): `wrt_`/`wot_` then a compact HS256 JWS (jose) whose
 * claims carry the session (or the operator's workspace and principal), the audience, an id, and the
 * expiry. The realtime service checks a handshake without asking the session service; clients keep
 * treating the token as an opaque string.
 */
export class RealtimeTokens {
  private readonly keys: Uint8Array[];

  constructor(secret: string, previous?: string) {
    this.keys = [secret, ...(previous ? [previous] : [])].map((k) => new TextEncoder().encode(k));
  }

  visitor(session: SessionContext, ttlSeconds: number, now = Date.now()): Promise<{ token: string; expiresAt: string }> {
    return this.sign(REALTIME_TOKEN_PREFIX, AUDIENCE.visitor, session.sessionId, { session: sessionClaims.parse(session) }, ttlSeconds, now);
  }

  operator(workspaceId: string, principal: OperatorPrincipal, ttlSeconds: number, now = Date.now()): Promise<{ token: string; expiresAt: string }> {
    return this.sign(OPERATOR_REALTIME_TOKEN_PREFIX, AUDIENCE.operator, workspaceId, { operator: { workspaceId, principal } }, ttlSeconds, now);
  }

  /** Is this string one of ours at all (a `wrt_`/`wot_` prefix); session tokens (`wst_`) are not. */
  static isRealtimeToken(token: string): boolean {
    return token.startsWith(`${REALTIME_TOKEN_PREFIX}_`) || token.startsWith(`${OPERATOR_REALTIME_TOKEN_PREFIX}_`);
  }

  /**
   * The token's claims, or: invalid_token `unknown_token` (not signed with our key, not a JWS at all),
   * `wrong_audience` (a visitor token under the operator prefix or the reverse), auth_expired
   * `realtime_token_expired`.
   */
  async verify(token: string, now = Date.now()): Promise<VerifiedRealtimeToken> {
    const kind = token.startsWith(`${OPERATOR_REALTIME_TOKEN_PREFIX}_`) ? 'operator' : token.startsWith(`${REALTIME_TOKEN_PREFIX}_`) ? 'visitor' : null;
    if (!kind) throw Errors.invalidToken('unknown_token');
    const jws = token.slice(token.indexOf('_') + 1);
    let payload: Record<string, unknown> | null = null;
    for (const key of this.keys) {
      try {
        ({ payload } = await jwtVerify(jws, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE[kind],
          // No tolerance: the socket ends at `exp` (DeliveryCore's expiry timer), so a handshake after it is refused
          // too; a skew between the session and the realtime hosts shortens or lengthens a 5-minute token by as much.
          currentDate: new Date(now),
          requiredClaims: ['exp', 'iat', 'jti'],
        }));
        break;
      } catch (err) {
        // A good signature with a bad claim is final; a bad signature may be the previous key's.
        if (err instanceof joseErrors.JWTExpired) throw Errors.realtimeTokenExpired();
        if (err instanceof joseErrors.JWTClaimValidationFailed) throw Errors.invalidToken(err.claim === 'aud' ? 'wrong_audience' : 'unknown_token');
        if (!(err instanceof joseErrors.JWSSignatureVerificationFailed)) throw Errors.invalidToken('unknown_token');
      }
    }
    if (!payload) throw Errors.invalidToken('unknown_token');
    const issuedAtMs = typeof payload.iat_ms === 'number' ? payload.iat_ms : Number(payload.iat) * 1000;
    const tokenId = String(payload.jti);
    const expiresAt = new Date(Number(payload.exp) * 1000).toISOString();
    if (kind === 'visitor') {
      const session = sessionClaims.safeParse(payload.session);
      if (!session.success) throw Errors.invalidToken('unknown_token');
      return { kind, session: session.data, issuedAtMs, tokenId };
    }
    const operator = operatorClaims.safeParse(payload.operator);
    if (!operator.success) throw Errors.invalidToken('unknown_token');
    return { kind, operator: { ...operator.data, expiresAt }, issuedAtMs, tokenId };
  }

  private async sign(prefix: string, audience: string, subject: string, claims: Record<string, unknown>, ttlSeconds: number, now: number) {
    const exp = Math.floor(now / 1000) + ttlSeconds;
    const jws = await new SignJWT({ ...claims, iat_ms: now })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setSubject(subject)
      .setJti(randomUUID())
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(exp)
      .sign(this.keys[0]);
    return { token: `${prefix}_${jws}`, expiresAt: new Date(exp * 1000).toISOString() };
  }
}

