import { Injectable } from '@nestjs/common';
import { AppError, Errors, InjectConfig } from '@widget/common';
import { isStorableText } from '@widget/contracts';
import { errors as joseErrors, jwtVerify } from 'jose';
import type { SessionConfig } from '../config';

export const IDENTITY_AUDIENCE = 'clad_support_chat';
const MAX_DATE_MS = 8.64e15;

export interface IdentityClaims {
  sub: string;
  workspaceId: string;
  widgetId: string;
  exp: number;
  jti: string | null;
  email: string | null;
  name: string | null;
  companyId: string | null;
}

const optionalString = (value: unknown, max: number): string | null =>
  typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null;

/** Claims that become stored text: PostgreSQL cannot store NUL, and a lone surrogate is not text. */
const TEXT_CLAIMS = ['sub', 'workspace_id', 'widget_id', 'jti', 'email', 'name', 'company_id'] as const;

/**
 * Verifies the identity JWT a site's backend signs for its visitor: HS256 only
 * (jose refuses `none` and every other alg), signature, exp with a small skew,
 * the required claims and, when present, the audience.
 */
@Injectable()
export class IdentityVerifier {
  constructor(@InjectConfig() private readonly config: SessionConfig) {}

  async verify(token: string, secret: string): Promise<IdentityClaims> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
        algorithms: ['HS256'],
        clockTolerance: this.config.JWT_CLOCK_SKEW_SECONDS,
        requiredClaims: ['sub', 'exp', 'workspace_id', 'widget_id'],
      }));
    } catch (err) {
      throw Errors.invalidToken(reasonOf(err));
    }
    const aud = payload.aud;
    if (aud !== undefined && !(aud === IDENTITY_AUDIENCE || (Array.isArray(aud) && aud.includes(IDENTITY_AUDIENCE)))) {
      throw Errors.invalidToken('audience_invalid');
    }
    for (const claim of TEXT_CLAIMS) {
      const value = payload[claim];
      if (typeof value === 'string' && !isStorableText(value)) throw Errors.invalidToken(`claim_invalid_${claim}`);
    }
    const { sub, workspace_id, widget_id, exp, jti } = payload;
    // jose accepts any number; beyond the Date range (8.64e15 ms) it would fail later as a 500, and year 9999 is no session.
    if (typeof exp !== 'number' || !Number.isSafeInteger(exp) || exp * 1000 > MAX_DATE_MS) throw Errors.invalidToken('claim_invalid_exp');
    if (exp - Date.now() / 1000 > this.config.IDENTITY_TOKEN_MAX_LIFETIME_SECONDS + this.config.JWT_CLOCK_SKEW_SECONDS) {
      throw Errors.invalidToken('lifetime_too_long');
    }
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) throw Errors.invalidToken('claim_invalid_sub');
    if (typeof workspace_id !== 'string' || typeof widget_id !== 'string') throw Errors.invalidToken('claim_invalid_widget');
    if (jti !== undefined && (typeof jti !== 'string' || jti.length === 0 || jti.length > 255)) {
      throw Errors.invalidToken('claim_invalid_jti');
    }
    return {
      sub,
      workspaceId: workspace_id,
      widgetId: widget_id,
      exp: exp as number,
      jti: (jti as string | undefined) ?? null,
      email: optionalString(payload.email, 320),
      name: optionalString(payload.name, 255),
      companyId: optionalString(payload.company_id, 255),
    };
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof AppError) return err.reason ?? 'invalid';
  if (err instanceof joseErrors.JWTExpired) return 'token_expired';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm_not_allowed';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature_invalid';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim_invalid_${err.claim}`;
  if (err instanceof joseErrors.JOSENotSupported) return 'algorithm_not_allowed';
  return 'malformed';
}
