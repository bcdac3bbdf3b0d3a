import { Query, Req, Res } from '@nestjs/common';
import { AppError, Errors, InjectConfig, InjectLogger, NatsBus, safeEqual } from '@widget/common';
import type { Logger } from 'pino';
import { AuthOptionsReply, ROUTES, TeamRpc } from '@widget/contracts';
import type { FastifyReply } from 'fastify';
import { Access, AdminRequest } from '../auth/access';
import type { GatewayConfig } from '../config';
import { AdminController, Route } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { FLOW_COOKIE, FLOW_TTL_MS, flowCookie, FlowSealer, OIDC_CALLBACK_PATH, readCookie } from './flow-cookie';
import { OidcClient } from './oidc-client';
import { oidcSettings, OidcSettings } from './oidc.config';
import { oidcStartQuery, signedInLocation } from './return-to';

interface Sso {
  settings: OidcSettings;
  client: OidcClient;
  sealer: FlowSealer;
}

const notConfigured = () => new AppError('not_found', 'Single sign-on is not configured on this deployment.', { reason: 'sso_not_configured' });

/**
 * SPEC §14, single sign-on with OpenID Connect: the browser goes to the
 * provider from /oidc/start and comes back to /oidc/callback, which signs in
 * the member whose verified email the provider asserts (never a new account).
 * What the callback must check travels in a sealed cookie (flow-cookie.ts).
 */
@AdminController()
export class SsoController {
  private readonly sso: Sso | null;
  private readonly logger: Logger;

  constructor(
    private readonly bus: NatsBus,
    @InjectConfig() private readonly config: GatewayConfig,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'SsoController' });
    const settings = oidcSettings(config);
    this.sso = settings && { settings, client: new OidcClient(settings, logger), sealer: new FlowSealer(settings.clientSecret) };
  }

  @Route(ROUTES.admin.getAuthOptions)
  @Access.public()
  options(): AuthOptionsReply {
    return { sso: this.sso !== null };
  }

  @Route(ROUTES.admin.startOidc)
  @Access.public()
  async start(@Query() query: unknown, @Req() request: AdminRequest, @Res() reply: FastifyReply): Promise<void> {
    const sso = this.configured();
    // Validated here, not by a @Query pipe, so an unconfigured deployment answers 404 whatever the query.
    const { returnTo } = new ZodPipe(oidcStartQuery).transform(query);
    const redirectUri = this.redirectUri(request);
    const authorization = await sso.client.authorize(redirectUri);
    const sealed = sso.sealer.seal({
      state: authorization.state,
      nonce: authorization.nonce,
      codeVerifier: authorization.codeVerifier,
      returnTo,
      redirectUri,
      expiresAt: Date.now() + FLOW_TTL_MS,
    });
    void reply
      .status(302)
      .header('cache-control', 'no-store')
      .header('set-cookie', flowCookie(sealed, isHttps(redirectUri)))
      .header('location', authorization.url.href)
      .send();
  }

  /** OIDC_CALLBACK_PATH (the flow cookie's path and the default redirect URI's). */
  @Route(ROUTES.admin.oidcCallback)
  @Access.public()
  async callback(@Req() request: AdminRequest, @Res() reply: FastifyReply): Promise<void> {
    const sso = this.configured();
    const params = new URLSearchParams(request.url.split('?')[1] ?? '');
    const flow = sso.sealer.open(readCookie(request.headers.cookie, FLOW_COOKIE));
    // A sign-in is answered once, whatever the answer: the cookie goes with this reply (errors included).
    reply.header('cache-control', 'no-store').header('set-cookie', flowCookie(null, isHttps(flow?.redirectUri ?? this.redirectUri(request))));
    const state = params.get('state');
    if (!flow || state === null || !safeEqual(state, flow.state)) throw Errors.invalidToken('sso_state_invalid');
    const providerError = params.get('error');
    if (providerError !== null) {
      this.logger.info(`OpenID provider refused the sign-in: ${providerError.slice(0, 64)}`);
      throw new AppError('invalid_token', 'The identity provider did not sign you in.', { reason: 'sso_denied' });
    }
    const callbackUrl = new URL(flow.redirectUri);
    callbackUrl.search = params.toString();
    const { email } = await sso.client.verify(callbackUrl, flow);
    // No member with this email → invalid_credentials from the team service; accounts are never made here.
    const login = await this.bus.send(TeamRpc.ssoLogin, { email }, { requestId: String(request.id) });
    void reply.status(302).header('location', signedInLocation(flow.returnTo, login)).send();
  }

  private configured(): Sso {
    if (!this.sso) throw notConfigured();
    return this.sso;
  }

  /** OIDC_REDIRECT_URL, else this API's public origin (PUBLIC_ORIGIN's first, or the request's own) and the callback path. */
  private redirectUri(request: AdminRequest): string {
    if (this.sso?.settings.redirectUrl) return this.sso.settings.redirectUrl;
    const origin = this.config.PUBLIC_ORIGIN[0] ?? `${request.protocol}://${request.host}`;
    return `${origin}${OIDC_CALLBACK_PATH}`;
  }
}

/** The cookie is Secure when the callback it must reach is https (behind TLS termination too, unlike the request's scheme). */
const isHttps = (url: string) => url.startsWith('https:');
