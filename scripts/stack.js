#!/usr/bin/env node
/**
 * `npm run stack`: starts every built app in the foreground against the
 * PostgreSQL of this machine (DATABASE_URL) and a nats-server of its own with
 * the generated users and permissions (NATS_URL: an existing server instead;
 * see scripts/stack-config.js), migrations first, then seeds the demo widget
 * and its owner account once and prints the URLs, the owner's login and the
 * seed JSON. Ctrl-C stops everything.
 * By default every app runs in ONE process (apps/server, TARGET=all: the
 * one-process mode of docs/deployment.md); STACK_TARGET=per-app (or
 * --per-app) starts one process per app, as compose and Kubernetes do.
 * Secrets for local use (NATS passwords included) are generated once into
 * .stack/secrets.json (git-ignored).
 */
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { connect } = require('nats');
const { Client } = require('pg');
const { createServer } = require('node:net');
const { PrivateNatsServer, probeHttp } = require('@widget/testing');
const { seed, seedOwner } = require('./seed');
const { natsPasswordVariable, resolveStack, SERVICES } = require('./stack-config');

const ROOT = join(__dirname, '..');
const STATE = join(ROOT, '.stack');
const CONFIG = resolveStack(process.env, {});
const PORT = CONFIG.port;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/widget';

/** A loaded machine may need longer; STACK_READY_TIMEOUT_MS overrides. */
const READY_TIMEOUT_MS = Number(process.env.STACK_READY_TIMEOUT_MS ?? 120_000);
const say = (line) => process.stdout.write(`[stack] ${line}\n`);
const built = (app) => existsSync(join(ROOT, 'apps', app, 'dist', 'main.js'));

const SECRETS_FILE = join(STATE, 'secrets.json');

function storedSecrets() {
  mkdirSync(STATE, { recursive: true });
  const generated = {
    SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_API_KEY: `adm_${randomBytes(24).toString('hex')}`,
    REALTIME_TOKEN_SECRET: randomBytes(32).toString('base64'),
  };
  const existing = existsSync(SECRETS_FILE) ? JSON.parse(readFileSync(SECRETS_FILE, 'utf8')) : {};
  // A secrets file of an older checkout gains the secrets added since (REALTIME_TOKEN_SECRET); the rest stay.
  const stored = { ...generated, ...existing };
  if (Object.keys(generated).some((key) => !existing[key])) writeFileSync(SECRETS_FILE, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return stored;
}

/** The environment's ADMIN_API_KEY / SECRET_ENCRYPTION_KEY / REALTIME_TOKEN_SECRET win; the rest come from (or are generated into) .stack/secrets.json. */
function loadSecrets() {
  return resolveStack(process.env, storedSecrets()).secrets;
}

let nats = null;

/**
 * The stack's own nats-server with the generated users (libs/testing's
 * PrivateNatsServer, without the tests' all-access harness user), passwords
 * kept in .stack/secrets.json; or the server of NATS_URL.
 */
async function startNats() {
  const stored = storedSecrets();
  const resolved = resolveStack(process.env, stored);
  if (!resolved.nats.own) {
    await ensureNats(resolved.nats.url);
    if (Object.keys(resolved.natsPasswords).length === 0) say(`NATS_URL is set and no NATS_PASSWORD_<APP>: the apps connect to ${resolved.nats.url} without credentials`);
    return { url: resolved.nats.url, passwords: resolved.natsPasswords };
  }
  const dir = join(STATE, `nats-${PORT}`);
  mkdirSync(dir, { recursive: true });
  nats = await PrivateNatsServer.start({ prefix: CONFIG.natsSubjectPrefix, dir, port: await freeOr(resolved.nats.port), passwords: resolved.natsPasswords });
  const missing = Object.entries(nats.passwords).filter(([key]) => !stored[key]);
  if (missing.length > 0) writeFileSync(SECRETS_FILE, JSON.stringify({ ...stored, ...Object.fromEntries(missing) }, null, 2), { mode: 0o600 });
  return { url: nats.url, passwords: nats.passwords };
}

/** The wanted port when it is free, else one the OS picks (a second stack on this machine). */
function freeOr(wanted) {
  const listen = (port) =>
    new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const { port: got } = server.address();
        server.close(() => resolve(got));
      });
    });
  return listen(wanted).catch(() => listen(0));
}

async function ensureDatabase() {
  const url = new URL(DATABASE_URL);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `Cannot reach PostgreSQL at ${url.host} (${err.message}). Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), ` +
        'set DATABASE_URL, or run everything with `docker compose up --build`.',
    );
  }
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (rowCount === 0) {
    say(`creating database "${name}"`);
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  }
  await client.end();
}

function start(app, env, children) {
  // Each app gets its own NATS password only; the one-process server gets each app's as NATS_PASSWORD_<APP>.
  const { natsPasswords, ...rest } = env;
  const own = natsPasswords?.[natsPasswordVariable(app)];
  const childEnv = Object.fromEntries(Object.entries({ ...process.env, ...rest }).filter(([key]) => !key.startsWith('NATS_PASSWORD')));
  if (app === 'server') Object.assign(childEnv, natsPasswords);
  else if (own) childEnv.NATS_PASSWORD = own;
  const child = spawn(process.execPath, [join(ROOT, 'apps', app, 'dist', 'main.js')], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `${app.padEnd(12)}| `;
  const relay = (stream, out) => {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) out.write(prefix + line + '\n');
    });
  };
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!shuttingDown) {
      say(`${app} exited (${signal ?? code}); stopping the stack`);
      stopAll(children, 1);
    }
  });
  children.push(child);
  return child;
}

/** Polls /health/ready over node:http (probeHttp: fetch refuses ports such as 4045); gives up naming the last answer. */
async function waitReady(app, url, child) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${app} exited during start-up (see its lines above)`);
    try {
      const res = await probeHttp(`${url}/health/ready`);
      if (res.status === 200) return;
      last = `it answered ${res.status}`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${app} was not ready after ${READY_TIMEOUT_MS / 1000} s on ${url}/health/ready (${last})`);
}

async function ensureNats(url) {
  try {
    const nc = await connect({ servers: url, timeout: 3000, reconnect: false });
    await nc.close();
  } catch (err) {
    // An authorization violation still means the server is there: each app then connects with its own password.
    if (err.code === 'AUTHORIZATION_VIOLATION') return;
    throw new Error(`Cannot reach NATS at ${url} (${err.message}). Start it, unset NATS_URL (the stack then starts its own), or run everything with \`docker compose up --build\`.`);
  }
}

let shuttingDown = false;
function stopAll(children, code) {
  shuttingDown = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  const exit = () => Promise.resolve(nats?.stop()).finally(() => process.exit(code));
  setTimeout(exit, 3000).unref();
  Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(exit);
}

const children = [];

async function main() {
  process.on('SIGINT', () => stopAll(children, 0));
  process.on('SIGTERM', () => stopAll(children, 0));

  const [, natsServer] = await Promise.all([ensureDatabase(), startNats()]);
  say(`PostgreSQL ${DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}, NATS ${natsServer.url}${nats ? ' (its own nats-server, one user per app)' : ''}`);
  const secrets = loadSecrets();
  const common = {
    DATABASE_URL,
    NATS_URL: natsServer.url,
    NATS_SUBJECT_PREFIX: CONFIG.natsSubjectPrefix,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...secrets,
    natsPasswords: natsServer.passwords,
  };

  const services = SERVICES.filter(built);
  const oneProcess = (process.env.STACK_TARGET ?? 'all') === 'all' && !process.argv.includes('--per-app') && built('server');
  if (oneProcess) return startOneProcess(common, services);
  say(`starting ${services.join(', ')} (each applies its migrations first)`);
  await Promise.all(
    services.map(async (app) => {
      const port = await freeOr(CONFIG.servicePorts[app]);
      const child = start(app, { ...common, HEALTH_PORT: String(port) }, children);
      return waitReady(app, `http://127.0.0.1:${port}`, child);
    }),
  );
  const gatewayEnv = {
    ...common,
    PORT: String(PORT),
    HEALTH_PORT: String(await freeOr(CONFIG.gatewayHealthPort)),
    GATEWAY_UPSTREAMS: services.join(','),
    RATE_LIMIT_KEY_PREFIX: CONFIG.rateLimitKeyPrefix,
  };
  // Demo mode: /demo/ and its identity-token endpoint (signs with the seeded widget's secret); the gateway refuses it in production.
  if (CONFIG.demoMode) Object.assign(gatewayEnv, { DEMO_MODE: 'true', DEMO_SEED_FILE: join(STATE, CONFIG.seedFile) });
  else say('NODE_ENV=production: no demo mode (no /demo/)');
  if (built('realtime')) {
    const port = await freeOr(CONFIG.realtimePort);
    // Reached only through the gateway's relay (loopback), whose X-Forwarded-For names the client that new
    // connections are charged to, in the gateway's buckets (RATE_LIMIT_ADDRESS_REALTIME, docs/limits.md).
    const realtimeEnv = { ...common, PORT: String(port), HOST: '127.0.0.1', TRUST_PROXY: 'true', RATE_LIMIT_KEY_PREFIX: CONFIG.rateLimitKeyPrefix };
    const child = start('realtime', realtimeEnv, children);
    await waitReady('realtime', `http://127.0.0.1:${port}`, child);
    gatewayEnv.REALTIME_URL = `http://127.0.0.1:${port}`;
  }
  const gateway = start('gateway', gatewayEnv, children);
  await waitReady('gateway', `http://127.0.0.1:${PORT}`, gateway);
  await seedAndSay(secrets);
}

/**
 * The one-process mode: every built app in one process (apps/server), each on the port it has in the
 * per-app topology (HEALTH_PORT_<APP>, PORT_REALTIME), each with its own NATS user.
 */
async function startOneProcess(common, services) {
  const apps = [...services, ...(built('realtime') ? ['realtime'] : []), 'gateway'];
  const env = {
    ...common,
    TARGET: apps.join(','),
    PORT: String(PORT),
    HEALTH_PORT: String(await freeOr(CONFIG.gatewayHealthPort)),
    GATEWAY_UPSTREAMS: services.join(','),
    RATE_LIMIT_KEY_PREFIX: CONFIG.rateLimitKeyPrefix,
  };
  const probes = [];
  for (const app of services) {
    const port = await freeOr(CONFIG.servicePorts[app]);
    env[`HEALTH_PORT_${app.toUpperCase()}`] = String(port);
    probes.push([app, `http://127.0.0.1:${port}`]);
  }
  if (built('realtime')) {
    const port = await freeOr(CONFIG.realtimePort);
    env.PORT_REALTIME = String(port);
    probes.push(['realtime', `http://127.0.0.1:${port}`]);
  }
  if (CONFIG.demoMode) Object.assign(env, { DEMO_MODE: 'true', DEMO_SEED_FILE: join(STATE, CONFIG.seedFile) });
  else say('NODE_ENV=production: no demo mode (no /demo/)');
  say(`starting ${apps.join(', ')} in one process (apps/server; STACK_TARGET=per-app for one process each)`);
  const server = start('server', env, children);
  for (const [app, url] of [...probes, ['gateway', `http://127.0.0.1:${PORT}`]]) await waitReady(app, url, server);
  await seedAndSay(loadSecrets());
}

/** Seeds the demo workspace once, then prints the URLs, the owner's login and the seed JSON. */
async function seedAndSay(secrets) {
  const baseUrl = `http://localhost:${PORT}`;
  const seedFile = join(STATE, CONFIG.seedFile);
  let demo = existsSync(seedFile) ? JSON.parse(readFileSync(seedFile, 'utf8')) : null;
  if (demo) {
    const check = await fetch(`http://127.0.0.1:${PORT}/admin/v1/widgets/${demo.widgetId}`, { headers: { authorization: `Bearer ${secrets.ADMIN_API_KEY}` } });
    if (!check.ok) demo = null;
  }
  if (!demo) {
    say('seeding the demo workspace and widget');
    demo = await seed({ baseUrl: `http://127.0.0.1:${PORT}`, adminKey: secrets.ADMIN_API_KEY });
    demo.baseUrl = baseUrl;
    writeFileSync(seedFile, JSON.stringify(demo, null, 2), { mode: 0o600 });
  } else if (!demo.owner) {
    // Seeded before workspaces had owner accounts: the demo workspace gets its owner now.
    say('creating the demo workspace\'s owner account');
    demo.owner = await seedOwner({ baseUrl: `http://127.0.0.1:${PORT}`, adminKey: secrets.ADMIN_API_KEY, workspaceId: demo.workspaceId });
    writeFileSync(seedFile, JSON.stringify(demo, null, 2), { mode: 0o600 });
  }
  say(`ready: widget API ${baseUrl}/widget/v1, operator API ${baseUrl}/admin/v1, realtime ${baseUrl}/widget/v1/realtime`);
  if (CONFIG.demoMode) say(`try it: open ${baseUrl}/demo/ (the demo site with the chat widget)`);
  say(`inbox: open ${baseUrl}/inbox/ and sign in as ${demo.owner.email} with the password ${demo.owner.password} (the workspace's owner); operator key ${secrets.ADMIN_API_KEY}`);
  say(`demo (also in .stack/${CONFIG.seedFile}):`);
  process.stdout.write(`${JSON.stringify(demo)}\n`);
}

main().catch((err) => {
  say(`failed: ${err.message}`);
  // Never leave the apps already started running without us.
  stopAll(children, 1);
});
