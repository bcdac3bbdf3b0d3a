/**
 * What `npm run stack` runs with, resolved from the environment (pure, so it
 * is unit-tested in test/stack-config.spec.ts):
 *
 * - Secrets: ADMIN_API_KEY and SECRET_ENCRYPTION_KEY from the environment win
 *   over the ones generated once into .stack/secrets.json.
 * - Ports: everything is derived from PORT (default 3000), so two stacks on one
 *   machine with different PORTs do not collide: realtime PORT+1, the
 *   services' health ports PORT+101…PORT+107 (3001 and 3101–3107 for 3000;
 *   integrations, the newest, last so the others keep theirs), the gateway's own
 *   health port (its /metrics) PORT+100.
 *   REALTIME_PORT and HEALTH_PORT_BASE override; a derived port that is taken
 *   is replaced by a free one (see stack.js).
 * - NATS subjects: a stack on another PORT gets its own namespace
 *   (`port<PORT>.`) unless NATS_SUBJECT_PREFIX is set, so two stacks sharing
 *   one NATS server never answer each other's requests.
 * - Rate limits: likewise a stack on another PORT keeps its buckets under
 *   `widget:rl:port<PORT>:` in the shared Redis unless RATE_LIMIT_KEY_PREFIX
 *   is set, so two stacks never spend each other's address budgets.
 * - Demo mode (/demo/ and its identity-token endpoint): on, except with
 *   NODE_ENV=production, where the gateway refuses it.
 * - NATS server: by default the stack starts its own nats-server on
 *   NATS_PORT (default PORT+222, 3222 for 3000) with the generated users and
 *   permissions (the trust boundary, docs/architecture.md), never the
 *   machine's shared one. With NATS_URL set it uses that server instead, and
 *   each app connects with NATS_PASSWORD_<APP> from the environment (a server
 *   configured by scripts/nats-config.js) or, if unset, without credentials.
 * - NATS passwords: NATS_PASSWORD_<APP> from the environment win over the
 *   ones generated once into .stack/secrets.json.
 */
const SERVICES = ['session', 'conversation', 'knowledge', 'forms', 'events', 'team', 'integrations'];
/** Every app that connects to NATS as its own user (libs/contracts NATS_PRINCIPALS). */
const NATS_APPS = ['gateway', 'realtime', ...SERVICES];
const natsPasswordVariable = (app) => `NATS_PASSWORD_${app.toUpperCase()}`;
const DEFAULT_PORT = 3000;

function portOf(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a port number (1-65535), got "${raw}"`);
  return port;
}

function resolveStack(env, storedSecrets = {}) {
  const port = portOf(env, 'PORT', DEFAULT_PORT);
  const realtimePort = portOf(env, 'REALTIME_PORT', port + 1);
  const healthBase = portOf(env, 'HEALTH_PORT_BASE', port + 101);
  // The gateway's internal port (/metrics and the probes), never its public one.
  const gatewayHealthPort = portOf(env, 'GATEWAY_HEALTH_PORT', port + 100);
  const servicePorts = Object.fromEntries(SERVICES.map((name, i) => [name, healthBase + i]));
  const secrets = {
    SECRET_ENCRYPTION_KEY: env.SECRET_ENCRYPTION_KEY || storedSecrets.SECRET_ENCRYPTION_KEY,
    ADMIN_API_KEY: env.ADMIN_API_KEY || storedSecrets.ADMIN_API_KEY,
    REALTIME_TOKEN_SECRET: env.REALTIME_TOKEN_SECRET || storedSecrets.REALTIME_TOKEN_SECRET,
  };
  const natsSubjectPrefix = env.NATS_SUBJECT_PREFIX ?? (port === DEFAULT_PORT ? '' : `port${port}.`);
  const rateLimitKeyPrefix = env.RATE_LIMIT_KEY_PREFIX || (port === DEFAULT_PORT ? 'widget:rl:' : `widget:rl:port${port}:`);
  const demoMode = env.NODE_ENV !== 'production';
  const seedFile = port === DEFAULT_PORT ? 'seed.json' : `seed-${port}.json`;
  const nats = env.NATS_URL ? { own: false, url: env.NATS_URL } : { own: true, port: portOf(env, 'NATS_PORT', port + 222) };
  const natsPasswords = {};
  for (const app of NATS_APPS) {
    const variable = natsPasswordVariable(app);
    const password = env[variable] || (nats.own ? storedSecrets[variable] : undefined);
    if (password) natsPasswords[variable] = password;
  }
  return { port, realtimePort, gatewayHealthPort, servicePorts, secrets, natsSubjectPrefix, rateLimitKeyPrefix, demoMode, seedFile, nats, natsPasswords };
}

module.exports = { SERVICES, NATS_APPS, DEFAULT_PORT, natsPasswordVariable, resolveStack };
