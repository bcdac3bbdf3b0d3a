/**
 * What `npm run stack` runs with, resolved from the environment (pure, so it
 * is unit-tested in test/stack-config.spec.ts):
 *
 * - Secrets: ADMIN_API_KEY and SECRET_ENCRYPTION_KEY from the environment win
 *   over the ones generated once into .stack/secrets.json.
 * - Ports: everything is derived from PORT (default 3000), so two stacks on one
 *   machine with different PORTs do not collide: realtime PORT+1, the
 *   services' health ports PORT+101…PORT+105 (3001 and 3101–3105 for 3000).
 *   REALTIME_PORT and HEALTH_PORT_BASE override; a derived port that is taken
 *   is replaced by a free one (see stack.js).
 * - NATS subjects: a stack on another PORT gets its own namespace
 *   (`port<PORT>.`) unless NATS_SUBJECT_PREFIX is set, so two stacks sharing
 *   one NATS server never answer each other's requests.
 */
const SERVICES = ['session', 'conversation', 'knowledge', 'forms', 'events'];
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
  const servicePorts = Object.fromEntries(SERVICES.map((name, i) => [name, healthBase + i]));
  const secrets = {
    SECRET_ENCRYPTION_KEY: env.SECRET_ENCRYPTION_KEY || storedSecrets.SECRET_ENCRYPTION_KEY,
    ADMIN_API_KEY: env.ADMIN_API_KEY || storedSecrets.ADMIN_API_KEY,
  };
  const natsSubjectPrefix = env.NATS_SUBJECT_PREFIX ?? (port === DEFAULT_PORT ? '' : `port${port}.`);
  const seedFile = port === DEFAULT_PORT ? 'seed.json' : `seed-${port}.json`;
  return { port, realtimePort, servicePorts, secrets, natsSubjectPrefix, seedFile };
}

module.exports = { SERVICES, DEFAULT_PORT, resolveStack };
