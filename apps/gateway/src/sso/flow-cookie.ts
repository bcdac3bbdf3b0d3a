import { hkdfSync } from 'node:crypto';
import { SecretBox } from '@widget/common';

/** The cookie that carries one sign-in from /oidc/start to /oidc/callback, and nowhere else. */
export const FLOW_COOKIE = 'widget_oidc';
export const FLOW_COOKIE_PATH = '/admin/v1/auth/oidc';
/** The callback route (sso.controller.ts), where the cookie comes back; OIDC_REDIRECT_URL must keep this path. */
export const OIDC_CALLBACK_PATH = `${FLOW_COOKIE_PATH}/callback`;
export const FLOW_TTL_MS = 10 * 60 * 1000;

/** One sign-in in flight: what the callback checks and needs, sealed in the browser (no store, nothing shared by replicas). */
export interface SignInFlow {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /** The redirect_uri sent to the provider; the token request must send the same. */
  redirectUri: string;
  /** Epoch ms after which the callback refuses it, whatever the browser kept. */
  expiresAt: number;
}

/**
 * AES-256-GCM (SecretBox) under a key derived with HKDF-SHA256 from
 * OIDC_CLIENT_SECRET: every replica with the same configuration opens what
 * another sealed, and a changed client secret ends the sign-ins in flight.
 */
export class FlowSealer {
  private readonly box: SecretBox;

  constructor(clientSecret: string) {
    const key = Buffer.from(hkdfSync('sha256', Buffer.from(clientSecret, 'utf8'), Buffer.alloc(0), 'widget oidc sign-in cookie v1', 32));
    this.box = new SecretBox(key.toString('base64'));
  }

  seal(flow: SignInFlow): string {
    return this.box.seal(JSON.stringify(flow));
  }

  /** The flow, or null when the value was not sealed here, was changed, or has expired. */
  open(sealed: string | undefined, now = Date.now()): SignInFlow | null {
    if (!sealed) return null;
    let flow: Partial<SignInFlow>;
    try {
      flow = JSON.parse(this.box.open(sealed)) as Partial<SignInFlow>;
    } catch {
      return null;
    }
    const fields = [flow.state, flow.nonce, flow.codeVerifier, flow.returnTo, flow.redirectUri];
    if (fields.some((f) => typeof f !== 'string') || typeof flow.expiresAt !== 'number' || flow.expiresAt <= now) return null;
    return flow as SignInFlow;
  }
}

/** One cookie's value from a Cookie header (the first of that name); our values are base64url, never quoted or escaped. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie value that stores (value) or clears (null) the flow cookie. */
export function flowCookie(value: string | null, secure: boolean): string {
  const attributes = [`Path=${FLOW_COOKIE_PATH}`, 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])];
  const life = value === null ? ['Max-Age=0', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT'] : [`Max-Age=${FLOW_TTL_MS / 1000}`];
  return [`${FLOW_COOKIE}=${value ?? ''}`, ...life, ...attributes].join('; ');
}
