// A real OpenID provider (oidc-provider) for test/oidc.e2e-spec.ts, running in the test process.
//
// Plain JavaScript loaded with Node's own require (require(esm)), not through Jest: oidc-provider is an ES
// module only, and it merges its configuration by checking `value.constructor === Object`, which objects
// made inside Jest's sandbox (another realm) fail. Everything it is given is made here, in Node's realm.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

/**
 * One confidential client (client_secret_basic, code flow, PKCE required) whose redirect_uri is the
 * gateway's callback. No login page: each interaction signs in `options.signInAs()` at once, or refuses
 * with access_denied when it returns 'deny'; consent is implied (loadExistingGrant), as for a company's
 * own directory. `accounts` maps a subject to its claims ({ email, email_verified?, name? }).
 *
 * @param {{ port: number, clientId: string, clientSecret: string, redirectUri: string,
 *   accounts: Map<string, Record<string, unknown>>, signInAs: () => string }} options
 * @returns {Promise<{ issuer: string, stop: () => Promise<void> }>}
 */
export async function startTestProvider(options) {
  const issuer = `http://127.0.0.1:${options.port}`;
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { methods: ['S256'], required: () => true },
    jwks: { keys: [{ ...jwk, use: 'sig', kid: 'test-key' }] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    // Lifetimes of its own (the defaults print a notice each); the in-memory store stays (one warning).
    ttl: { AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600 },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx, sub) => {
      const account = options.accounts.get(sub);
      return account && { accountId: sub, claims: async () => ({ sub, ...account }) };
    },
    loadExistingGrant: async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  const server = createServer((req, res) => {
    if (!req.url?.startsWith('/interaction/')) return handle(req, res);
    (async () => {
      await provider.interactionDetails(req, res);
      const account = options.signInAs();
      const result = account === 'deny' ? { error: 'access_denied', error_description: 'The person said no.' } : { login: { accountId: account } };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    })().catch((err) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(options.port, '127.0.0.1', resolve));
  return {
    issuer,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
