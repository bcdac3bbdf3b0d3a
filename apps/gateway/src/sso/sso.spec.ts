import { ConfigError, loadConfig } from '@widget/common';
import { gatewayEnv } from '../config';
import { FLOW_COOKIE, flowCookie, FlowSealer, readCookie, SignInFlow } from './flow-cookie';
import { oidcSettings } from './oidc.config';
import { oidcStartQuery, signedInLocation } from './return-to';

const ADMIN_API_KEY = 'k'.repeat(32);
const OIDC = { OIDC_ISSUER: 'https://id.acme.test', OIDC_CLIENT_ID: 'widget', OIDC_CLIENT_SECRET: 's3cr3t-0123456789abcdef' };

describe('single sign-on configuration', () => {
  const load = (env: Record<string, string>) => loadConfig(gatewayEnv, { ADMIN_API_KEY, ...env });
  const problems = (env: Record<string, string>) => {
    try {
      load(env);
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it('is off without the OIDC_* variables, on with all three', () => {
    expect(oidcSettings(load({}))).toBeNull();
    expect(oidcSettings(load(OIDC))).toEqual({ issuer: new URL(OIDC.OIDC_ISSUER), clientId: 'widget', clientSecret: OIDC.OIDC_CLIENT_SECRET, redirectUrl: undefined });
  });

  it('wants all three or none, names the missing ones', () => {
    expect(problems({ OIDC_ISSUER: OIDC.OIDC_ISSUER })).toEqual([
      expect.stringMatching(/^OIDC_CLIENT_ID: is required with OIDC_ISSUER/),
      expect.stringMatching(/^OIDC_CLIENT_SECRET: is required with OIDC_ISSUER/),
    ]);
    expect(problems({ OIDC_REDIRECT_URL: 'https://support.acme.test/admin/v1/auth/oidc/callback' })).toEqual([expect.stringMatching(/^OIDC_REDIRECT_URL: is only used with/)]);
    expect(problems({ ...OIDC, OIDC_ISSUER: 'not a url' })).toEqual([expect.stringMatching(/^OIDC_ISSUER: must be a http: or https: URL/)]);
    expect(problems({ ...OIDC, OIDC_REDIRECT_URL: 'https://support.acme.test/sso/callback' })).toEqual([expect.stringMatching(/^OIDC_REDIRECT_URL: must have the path \/admin\/v1\/auth\/oidc\/callback/)]);
    expect(oidcSettings(load({ ...OIDC, OIDC_REDIRECT_URL: 'https://support.acme.test/admin/v1/auth/oidc/callback' }))?.redirectUrl).toBe('https://support.acme.test/admin/v1/auth/oidc/callback');
  });

  it('in production: https only, and no example client secret', () => {
    const production = { NODE_ENV: 'production', NATS_PASSWORD: 'n'.repeat(24) };
    expect(problems({ ...production, ...OIDC })).toEqual([]);
    expect(problems({ ...production, ...OIDC, OIDC_ISSUER: 'http://id.acme.test' })).toEqual([expect.stringMatching(/^OIDC_ISSUER: must be an https URL/)]);
    expect(problems({ ...production, ...OIDC, OIDC_CLIENT_SECRET: 'change-me-0123456789' })).toEqual([expect.stringMatching(/^OIDC_CLIENT_SECRET: is an example value/)]);
    expect(problems({ ...OIDC, OIDC_ISSUER: 'http://127.0.0.1:4000' })).toEqual([]);
  });
});

describe('returnTo', () => {
  const parse = (returnTo?: string) => oidcStartQuery.safeParse(returnTo === undefined ? {} : { returnTo });

  it('takes a path on this origin, /inbox/ by default', () => {
    expect(parse().data).toEqual({ returnTo: '/inbox/' });
    for (const ok of ['/', '/inbox/', '/inbox/?view=mine', '/a/b%2Fc', `/${'a'.repeat(499)}`]) expect(parse(ok).data).toEqual({ returnTo: ok });
  });

  it('refuses anything that can leave it', () => {
    for (const bad of ['//evil.example', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', 'https://evil.example/', 'evil.example', '', ' /inbox/', '/inbox/#x', `/${'a'.repeat(500)}`]) {
      expect(parse(bad).success).toBe(false);
    }
  });

  it('lands with the token in the fragment', () => {
    const location = signedInLocation('/inbox/?v=1', { token: 'opt_abc-_123', expiresAt: '2030-01-02T03:04:05.000Z' });
    const [path, fragment] = location.split('#');
    expect(path).toBe('/inbox/?v=1');
    expect(Object.fromEntries(new URLSearchParams(fragment))).toEqual({ operator_token: 'opt_abc-_123', expires_at: '2030-01-02T03:04:05.000Z' });
  });
});

describe('the sign-in cookie', () => {
  const flow: SignInFlow = {
    // Long enough that finding one in the ciphertext by chance is out of the question (a 2-letter one was found 1 run in ~16).
    state: 'state-5f1c0e8a9b2d4c7e',
    nonce: 'nonce-8d3a6b1f0c9e2a47',
    codeVerifier: 'verifier-3b7e9d2c1a0f4e86',
    returnTo: '/inbox/',
    redirectUri: 'https://support.acme.test/admin/v1/auth/oidc/callback',
    expiresAt: Date.now() + 60_000,
  };
  const sealer = new FlowSealer(OIDC.OIDC_CLIENT_SECRET);

  it('opens on any replica with the same client secret, and nowhere else', () => {
    const sealed = sealer.seal(flow);
    for (const secret of [flow.state, flow.nonce, flow.codeVerifier, flow.returnTo]) expect(sealed).not.toContain(secret);
    expect(new FlowSealer(OIDC.OIDC_CLIENT_SECRET).open(sealed)).toEqual(flow);
    expect(new FlowSealer(`${OIDC.OIDC_CLIENT_SECRET}x`).open(sealed)).toBeNull();
  });

  it('refuses a changed, foreign, empty or expired value', () => {
    const sealed = sealer.seal(flow);
    const flipped = `${sealed.slice(0, 20)}${sealed[20] === 'A' ? 'B' : 'A'}${sealed.slice(21)}`;
    for (const bad of [flipped, sealed.slice(0, -2), 'garbage', '', undefined]) expect(sealer.open(bad)).toBeNull();
    expect(sealer.open(sealed, flow.expiresAt)).toBeNull();
    expect(sealer.open(sealer.seal({ ...flow, state: 7 } as unknown as SignInFlow))).toBeNull();
  });

  it('is read from a Cookie header and set HttpOnly, SameSite=Lax, on its path only', () => {
    expect(readCookie(`a=1; ${FLOW_COOKIE}=v-_1; b=2`, FLOW_COOKIE)).toBe('v-_1');
    expect(readCookie(`x${FLOW_COOKIE}=no`, FLOW_COOKIE)).toBeUndefined();
    expect(readCookie(undefined, FLOW_COOKIE)).toBeUndefined();
    expect(flowCookie('v', true)).toBe(`${FLOW_COOKIE}=v; Max-Age=600; Path=/admin/v1/auth/oidc; HttpOnly; SameSite=Lax; Secure`);
    expect(flowCookie(null, false)).toBe(`${FLOW_COOKIE}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/admin/v1/auth/oidc; HttpOnly; SameSite=Lax`);
  });
});
