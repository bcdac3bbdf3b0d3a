import { randomBytes } from 'node:crypto';
import { Api, createTeamWorkspace, expectEnvelope, freePort, recordSensitive, RunningApp, spawnApp, TeamWorkspace, testEmail, testStack } from '@widget/testing';

const stack = testStack();
jest.setTimeout(120_000);

const CLIENT_ID = 'widget-inbox';
const CLIENT_SECRET = `oidc-${randomBytes(24).toString('base64url')}`;
const OIDC_PATH = '/admin/v1/auth/oidc';

/** The claims the provider holds for one subject. */
interface ProviderAccount {
  email: string;
  email_verified?: boolean;
  name?: string;
}

interface TestProviderModule {
  startTestProvider(options: {
    port: number;
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    accounts: Map<string, ProviderAccount>;
    signInAs: () => string;
  }): Promise<{ issuer: string; stop(): Promise<void> }>;
}

/**
 * oidc-provider (an ES module only) in this process: test/oidc-test-provider.mjs
 * is loaded with Node's own require (require(esm), Node ≥ 20.19), reached
 * through process.getBuiltinModule, which Jest does not intercept (its own
 * require and import cannot load an ES module). Why that file is JavaScript:
 * at its top.
 */
function loadTestProvider(): TestProviderModule {
  const nodeModule = (process as unknown as { getBuiltinModule(id: string): typeof import('node:module') }).getBuiltinModule('node:module');
  return nodeModule.createRequire(__filename)('./oidc-test-provider.mjs') as TestProviderModule;
}

/** The provider of these tests: `signInAs` is who the next interaction signs in ('deny': access_denied). */
class TestProvider {
  readonly accounts = new Map<string, ProviderAccount>();
  signInAs = 'deny';
  private running?: { issuer: string; stop(): Promise<void> };

  constructor(
    readonly port: number,
    private readonly redirectUri: string,
  ) {}

  get issuer(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.running = await loadTestProvider().startTestProvider({
      port: this.port,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: this.redirectUri,
      accounts: this.accounts,
      signInAs: () => this.signInAs,
    });
  }

  async stop(): Promise<void> {
    await this.running?.stop();
  }
}

/** Cookies of one origin, as a browser would keep them (name, value and path; expiry only as removal). */
class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const gone = value === '' || attributes.some((a) => /^max-age=0$/i.test(a));
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
  }

  header(url: URL): string {
    return [...this.cookies].filter(([, c]) => url.pathname.startsWith(c.path)).map(([name, c]) => `${name}=${c.value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }
}

const get = (url: URL | string, cookie?: string) => fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });

/** A JSON reply read like Api's, for expectEnvelope. */
async function asApi(res: Response) {
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

describe('single sign-on with OpenID Connect (SPEC §14)', () => {
  let gateway: RunningApp;
  let provider: TestProvider;
  let team: TeamWorkspace;

  beforeAll(async () => {
    const providerPort = await freePort();
    // The gateway first: it discovers the provider on the first sign-in, not at start-up.
    gateway = await spawnApp(stack, 'gateway', {
      OIDC_ISSUER: `http://127.0.0.1:${providerPort}`,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
    });
    provider = new TestProvider(providerPort, `${gateway.url}${OIDC_PATH}/callback`);
    team = await createTeamWorkspace(stack);
    provider.accounts.set('agent', { email: team.agent.email.toUpperCase(), email_verified: true, name: 'Agent at the directory' });
    provider.accounts.set('unverified', { email: team.admin.email, email_verified: false });
    provider.accounts.set('no-claim', { email: team.admin.email });
    provider.accounts.set('stranger', { email: testEmail('stranger'), email_verified: true });
  });

  afterAll(async () => {
    await provider?.stop();
    await gateway?.stop();
  });

  /** GET /oidc/start → the provider's authorization URL and the gateway's sealed cookie. */
  async function start(returnTo?: string): Promise<{ authorizeUrl: URL; gatewayJar: CookieJar; setCookie: string }> {
    const res = await get(`${gateway.url}${OIDC_PATH}/start${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const gatewayJar = new CookieJar();
    gatewayJar.take(res);
    recordSensitive(gatewayJar.get('widget_oidc'));
    return { authorizeUrl: new URL(res.headers.get('location')!), gatewayJar, setCookie: res.headers.getSetCookie().join('\n') };
  }

  /** The browser at the provider (a fresh session there each time) until it is sent back to the gateway's callback. */
  async function atProvider(authorizeUrl: URL, account: string): Promise<URL> {
    provider.signInAs = account;
    const jar = new CookieJar();
    let url = authorizeUrl;
    for (let hop = 0; hop < 10; hop++) {
      const res = await get(url, jar.header(url));
      jar.take(res);
      if (![302, 303].includes(res.status)) throw new Error(`the provider answered ${res.status} at ${url.pathname}: ${await res.text()}`);
      url = new URL(res.headers.get('location')!, url);
      if (url.href.startsWith(`${gateway.url}${OIDC_PATH}/callback`)) {
        recordSensitive(url.searchParams.get('code') ?? undefined);
        return url;
      }
    }
    throw new Error('the provider never sent the browser back');
  }

  async function callback(url: URL, cookie: string | undefined) {
    return get(url, cookie);
  }

  /** Where the gateway sends the browser once signed in, split into the path and the fragment's values. */
  function landing(res: Response): { path: string; token: string; expiresAt: string } {
    expect(res.status).toBe(302);
    const [path, fragment] = res.headers.get('location')!.split('#');
    const values = new URLSearchParams(fragment);
    recordSensitive(values.get('operator_token') ?? undefined);
    return { path, token: values.get('operator_token')!, expiresAt: values.get('expires_at')! };
  }

  it('reports whether single sign-on is configured, and answers 404 sso_not_configured where it is not', async () => {
    expect(await (await get(`${gateway.url}/admin/v1/auth/options`)).json()).toEqual({ sso: true });
    expect(await (await get(`${stack.baseUrl}/admin/v1/auth/options`)).json()).toEqual({ sso: false });
    for (const path of ['/start?returnTo=/inbox/', '/start?returnTo=//evil.example', '/callback?code=x&state=y']) {
      expectEnvelope(await asApi(await get(`${stack.baseUrl}${OIDC_PATH}${path}`)), 404, 'not_found', 'sso_not_configured');
    }
  });

  it('discovers the provider on the first sign-in, and again after a failure (503 while it is down)', async () => {
    expectEnvelope(await asApi(await get(`${gateway.url}${OIDC_PATH}/start`)), 503, 'internal_error', 'sso_provider_unavailable');
    await provider.start();
    const { authorizeUrl } = await start();
    expect(authorizeUrl.origin).toBe(provider.issuer);
  });

  it('signs in the member whose verified email the provider asserts: code flow with PKCE, state and nonce; the token in the fragment', async () => {
    const { authorizeUrl, gatewayJar, setCookie } = await start('/inbox/?view=mine');
    const query = Object.fromEntries(authorizeUrl.searchParams);
    expect(query).toMatchObject({
      client_id: CLIENT_ID,
      response_type: 'code',
      scope: 'openid email profile',
      redirect_uri: `${gateway.url}${OIDC_PATH}/callback`,
      code_challenge_method: 'S256',
    });
    for (const name of ['state', 'nonce', 'code_challenge']) expect(query[name]).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    // The sealed cookie: only on the SSO routes' path, HttpOnly, Lax, ten minutes; not Secure over plain http.
    expect(setCookie).toMatch(/^widget_oidc=[A-Za-z0-9_-]+; Max-Age=600; Path=\/admin\/v1\/auth\/oidc; HttpOnly; SameSite=Lax$/);
    expect(setCookie).not.toContain(query.state);

    const back = await atProvider(authorizeUrl, 'agent');
    expect(back.searchParams.get('state')).toBe(query.state);
    const res = await callback(back, gatewayJar.header(back));
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.getSetCookie().join('\n')).toMatch(/^widget_oidc=; Max-Age=0;.* Path=\/admin\/v1\/auth\/oidc/);
    const signedIn = landing(res);
    expect(signedIn.path).toBe('/inbox/?view=mine');
    expect(signedIn.token).toMatch(/^opt_/);
    expect(new Date(signedIn.expiresAt).getTime()).toBeGreaterThan(Date.now());

    const me = await new Api(`${stack.baseUrl}/admin/v1`).get('/me', { token: signedIn.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      kind: 'operator',
      operator: { id: team.agent.id, email: team.agent.email, memberships: [{ workspaceId: team.workspaceId, role: 'agent' }] },
    });
  });

  it('refuses a callback whose state is not the one this browser started with (401 sso_state_invalid), and the code still works after', async () => {
    const { authorizeUrl, gatewayJar } = await start();
    const back = await atProvider(authorizeUrl, 'agent');
    const cookie = gatewayJar.get('widget_oidc')!;
    const otherState = new URL(back);
    otherState.searchParams.set('state', `${back.searchParams.get('state')}x`);
    const flipped = `${cookie.slice(0, 30)}${cookie[30] === 'A' ? 'B' : 'A'}${cookie.slice(31)}`;
    // Another browser's cookie (a sign-in it started) does not fit this state either.
    const { gatewayJar: otherBrowser } = await start();
    for (const [url, sent] of [
      [otherState, `widget_oidc=${cookie}`],
      [back, `widget_oidc=${flipped}`],
      [back, undefined],
      [back, `widget_oidc=${otherBrowser.get('widget_oidc')}`],
    ] as const) {
      const res = await callback(url, sent);
      expectEnvelope(await asApi(res), 401, 'invalid_token', 'sso_state_invalid');
      expect(res.headers.getSetCookie().join('\n')).toMatch(/^widget_oidc=; Max-Age=0;/);
    }
    expect(landing(await callback(back, `widget_oidc=${cookie}`)).token).toMatch(/^opt_/);
  });

  it('refuses the same code twice (the provider will not exchange it again): 401 sso_failed', async () => {
    const { authorizeUrl, gatewayJar } = await start();
    const back = await atProvider(authorizeUrl, 'agent');
    const cookie = gatewayJar.header(back);
    expect(landing(await callback(back, cookie)).token).toMatch(/^opt_/);
    expectEnvelope(await asApi(await callback(back, cookie)), 401, 'invalid_token', 'sso_failed');
  });

  it('refuses an email the provider has not verified (401 sso_email_unverified), whether it says false or nothing', async () => {
    for (const account of ['unverified', 'no-claim']) {
      const { authorizeUrl, gatewayJar } = await start();
      const back = await atProvider(authorizeUrl, account);
      expectEnvelope(await asApi(await callback(back, gatewayJar.header(back))), 401, 'invalid_token', 'sso_email_unverified');
    }
  });

  it('never makes an account: a verified email that is no member is 401 invalid_credentials', async () => {
    const { authorizeUrl, gatewayJar } = await start();
    const back = await atProvider(authorizeUrl, 'stranger');
    expectEnvelope(await asApi(await callback(back, gatewayJar.header(back))), 401, 'invalid_token', 'invalid_credentials');
    const members = await new Api(`${stack.baseUrl}/admin/v1`).get(`/workspaces/${team.workspaceId}/members`, { token: team.owner.token });
    expect(members.body.data ?? members.body).toHaveLength(3);
  });

  it('passes on a refusal at the provider (error=access_denied) as 401 sso_denied', async () => {
    const { authorizeUrl, gatewayJar } = await start();
    const back = await atProvider(authorizeUrl, 'deny');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expectEnvelope(await asApi(await callback(back, gatewayJar.header(back))), 401, 'invalid_token', 'sso_denied');
  });

  it('takes returnTo only as a path on this origin (400 validation_error otherwise)', async () => {
    for (const returnTo of ['//evil.example', '/\\evil.example', 'https://evil.example/inbox/', '/\t/evil.example', `/${'a'.repeat(500)}`]) {
      const res = await asApi(await get(`${gateway.url}${OIDC_PATH}/start?returnTo=${encodeURIComponent(returnTo)}`));
      expectEnvelope(res, 400, 'validation_error');
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'returnTo' })]);
    }
  });
});
