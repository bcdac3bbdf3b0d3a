import { secretEnv, urlEnv } from '@widget/common';
import { z } from 'zod';
import { OIDC_CALLBACK_PATH } from './flow-cookie';

/**
 * Single sign-on with OpenID Connect (SPEC §14): the provider's issuer, this
 * deployment's client there, and where the provider sends the browser back.
 * All of the first three or none; none, and the SSO routes answer 404.
 */
export const oidcEnv = {
  /** The provider's issuer URL (discovery at `<issuer>/.well-known/openid-configuration`); http only outside production. */
  OIDC_ISSUER: urlEnv(['http:', 'https:']).optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(512).optional(),
  /** Also the key material (HKDF) of the sealed cookie that carries one sign-in from start to callback. */
  OIDC_CLIENT_SECRET: secretEnv(z.string().min(16, 'must be at least 16 characters').max(1024).optional(), {
    generate: "the client secret your OpenID provider issued for this deployment's client",
  }),
  /** The callback registered at the provider, path /admin/v1/auth/oidc/callback; default PUBLIC_ORIGIN's first origin (or the request's own) + that path. */
  OIDC_REDIRECT_URL: urlEnv(['http:', 'https:']).optional(),
};

const ALL = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;

type OidcEnv = { NODE_ENV: string } & { [K in keyof typeof oidcEnv]?: string };

/** All three or none; no plain-http provider in production. */
export function oidcProblems(env: OidcEnv, ctx: z.RefinementCtx): void {
  const set = ALL.filter((name) => env[name] !== undefined);
  if (set.length > 0 && set.length < ALL.length) {
    for (const name of ALL.filter((n) => env[n] === undefined)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: `is required with ${set.join(', ')} (single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or none of them)` });
    }
  }
  if (env.NODE_ENV === 'production') {
    for (const name of ['OIDC_ISSUER', 'OIDC_REDIRECT_URL'] as const) {
      if (env[name]?.startsWith('http:')) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: 'must be an https URL with NODE_ENV=production' });
    }
  }
  // The sign-in cookie is scoped to the callback's path: a callback elsewhere would never get it back.
  if (env.OIDC_REDIRECT_URL !== undefined && URL.canParse(env.OIDC_REDIRECT_URL) && new URL(env.OIDC_REDIRECT_URL).pathname !== OIDC_CALLBACK_PATH) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['OIDC_REDIRECT_URL'], message: `must have the path ${OIDC_CALLBACK_PATH}, where the sign-in cookie comes back (e.g. https://support.example.com${OIDC_CALLBACK_PATH})` });
  }
  if (env.OIDC_REDIRECT_URL !== undefined && set.length === 0) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['OIDC_REDIRECT_URL'], message: 'is only used with OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET' });
  }
}

/** What the SSO routes need, or null when single sign-on is off. */
export interface OidcSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  redirectUrl: string | undefined;
}

export function oidcSettings(config: { [K in keyof typeof oidcEnv]?: string }): OidcSettings | null {
  if (!config.OIDC_ISSUER || !config.OIDC_CLIENT_ID || !config.OIDC_CLIENT_SECRET) return null;
  return { issuer: new URL(config.OIDC_ISSUER), clientId: config.OIDC_CLIENT_ID, clientSecret: config.OIDC_CLIENT_SECRET, redirectUrl: config.OIDC_REDIRECT_URL };
}
