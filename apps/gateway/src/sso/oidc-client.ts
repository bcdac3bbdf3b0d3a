import type { Logger } from 'pino';
import { AppError, Errors } from '@widget/common';
import type { OidcSettings } from './oidc.config';

// openid-client (v6) is an ES module only, loaded through Node's require(esm) on first use, like file-type in
// attachments/sniff.ts: the gateway process runs it; a spec that only builds the app never signs anyone in.
type OpenIdClient = typeof import('openid-client');
let openIdClient: OpenIdClient | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadOpenIdClient = () => (openIdClient ??= require('openid-client') as OpenIdClient);

export const SSO_SCOPE = 'openid email profile';
/** Seconds any one request to the provider (discovery, token, userinfo) may take. */
const PROVIDER_TIMEOUT_SECONDS = 10;

/** What start() hands to the browser and the flow cookie. */
export interface Authorization {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface VerifiedIdentity {
  email: string;
}

const providerUnavailable = () => new AppError('internal_error', 'The identity provider did not answer.', { reason: 'sso_provider_unavailable', status: 503 });
const ssoFailed = () => Errors.invalidToken('sso_failed');

/**
 * The provider as openid-client sees it: discovered once, on first use, and
 * again on the next request only when that failed (a provider down at the
 * gateway's start-up does not stop it, nor does it stay broken).
 */
export class OidcClient {
  private discovered: Promise<import('openid-client').Configuration> | undefined;

  private readonly logger: Logger;

  constructor(
    private readonly settings: OidcSettings,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'OidcClient' });
  }

  private configuration(): Promise<import('openid-client').Configuration> {
    this.discovered ??= this.discover().catch((err: unknown) => {
      this.discovered = undefined;
      this.logger.warn(`OpenID provider discovery at ${this.settings.issuer.href} failed (retried on the next sign-in): ${describe(err)}`);
      throw providerUnavailable();
    });
    return this.discovered;
  }

  private async discover() {
    const client = loadOpenIdClient();
    const { issuer, clientId, clientSecret } = this.settings;
    // http is refused in production by the config; outside it, a local provider (tests, development) may be plain http.
    const execute = issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [];
    const found = await client.discovery(issuer, clientId, undefined, undefined, { timeout: PROVIDER_TIMEOUT_SECONDS, execute });
    // client_secret_basic is the OpenID default every provider supports; client_secret_post only where basic is not offered.
    const methods = found.serverMetadata().token_endpoint_auth_methods_supported;
    const post = methods !== undefined && !methods.includes('client_secret_basic') && methods.includes('client_secret_post');
    const config = new client.Configuration(found.serverMetadata(), clientId, undefined, post ? client.ClientSecretPost(clientSecret) : client.ClientSecretBasic(clientSecret));
    config.timeout = PROVIDER_TIMEOUT_SECONDS;
    for (const extension of execute) extension(config);
    return config;
  }

  /** The provider's authorization URL for one sign-in: code flow, PKCE S256, state and nonce. */
  async authorize(redirectUri: string): Promise<Authorization> {
    const config = await this.configuration();
    const client = loadOpenIdClient();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: SSO_SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state, nonce, codeVerifier };
  }

  /**
   * The code exchanged (PKCE verifier, state and nonce checked, the ID token
   * verified by openid-client) for the email the provider asserts; its
   * `email_verified` must be true. When the ID token does not carry both
   * (providers that keep scope claims for userinfo), the userinfo endpoint
   * answers for the same subject.
   */
  async verify(callback: URL, checks: { state: string; nonce: string; codeVerifier: string }): Promise<VerifiedIdentity> {
    const config = await this.configuration();
    const client = loadOpenIdClient();
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims()!;
      // The email and its verification as one pair: both from the ID token, else both from userinfo.
      const inIdToken = typeof idToken.email === 'string' && idToken.email_verified !== undefined;
      claims = inIdToken ? idToken : await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
    } catch (err) {
      throw this.refusal(err);
    }
    if (typeof claims.email !== 'string' || claims.email.length === 0) throw Errors.invalidToken('sso_email_unverified');
    if (claims.email_verified !== true) throw Errors.invalidToken('sso_email_unverified');
    return { email: claims.email };
  }

  /** A provider that refused (a used code, a bad ID token) is 401 sso_failed; one that did not answer is 503. */
  private refusal(err: unknown): AppError {
    const unreachable = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError' || (err instanceof TypeError && !('code' in err)));
    // Never the code, a token or the cookie: only what kind of failure it was.
    this.logger.warn(`${unreachable ? 'OpenID provider did not answer the code exchange' : 'OpenID sign-in refused'}: ${describe(err)}`);
    return unreachable ? providerUnavailable() : ssoFailed();
  }
}

/** An error for the log: its kind, OAuth error code and message (openid-client's messages hold no token values). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const { code, error } = err as Error & { code?: unknown; error?: unknown };
  return [err.name, typeof code === 'string' ? code : '', typeof error === 'string' ? error : '', err.message].filter(Boolean).join(' ');
}
