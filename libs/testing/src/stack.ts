import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDatabase } from './db';
import { probeHttp } from './http-probe';
import { HARNESS_NATS_USER, natsPasswordVariable, PrivateNatsServer } from './nats-server';
import { freePort } from './ports';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** The deployable apps, in start order: services first, then the edges that ask them. */
export const SERVICE_APPS = ['session', 'team', 'conversation', 'knowledge', 'forms', 'events', 'integrations'] as const;
export type AppName = (typeof SERVICE_APPS)[number] | 'gateway' | 'realtime';

export interface RunningApp {
  name: AppName;
  process: ChildProcess;
  /** Public port (gateway, realtime) or health port (services). */
  port: number;
  url: string;
  /** Where /metrics is served: the gateway's own HEALTH_PORT, else `url`. */
  metricsUrl: string;
  logFile: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /**
   * Starts the app again once it has stopped (a crash test: `stop('SIGKILL')`, then this): the same
   * environment and port(s), so whatever points at its URL finds it back. Resolves, once it is ready,
   * with the new process.
   */
  restart(): Promise<RunningApp>;
}

export interface StackOptions {
  /** Services to start (default: those that exist in this repository). */
  services?: readonly AppName[];
  realtime?: boolean;
  env?: Record<string, string>;
  /** Where logs go; one file per process. */
  logDir?: string;
  /**
   * 'all': every app in ONE process (apps/server, TARGET=all; docs/deployment.md), as `npm run stack` runs
   * it; default: one process per app, as Kubernetes does. Default from STACK_TARGET.
   */
  target?: 'all' | 'per-app';
}

export interface Stack {
  baseUrl: string;
  logDir: string;
  adminKey: string;
  databaseUrl: string;
  env: Record<string, string>;
  apps: RunningApp[];
  gateway: RunningApp;
  realtime?: RunningApp;
  /** The stack's own nats-server (generated users and permissions); stop()/start() for outage tests. */
  nats: PrivateNatsServer;
  /** Start one more process of an app on this stack's database and NATS namespace. */
  spawn(name: AppName, env?: Record<string, string>): Promise<RunningApp>;
  stop(): Promise<void>;
}

export interface StackInfo {
  baseUrl: string;
  logDir?: string;
  adminKey: string;
  databaseUrl: string;
  realtimeUrl?: string;
  env: Record<string, string>;
}

/**
 * The answers a process gives up waiting for, and then carries on without (fail open): the team's presence for
 * availability (reported offline) and routing (left unassigned), a realtime handshake (refused server_busy). Their
 * production budgets are short; on a loaded 2-core CI machine an answer that is merely slow would change what a
 * spec sees, so the test stack waits longer. A spec about the time-outs themselves sets its own.
 */
export const PATIENT_TIMEOUTS: Record<string, string> = {
  AVAILABILITY_TIMEOUT_MS: '5000',
  ROUTING_TIMEOUT_MS: '5000',
  REALTIME_HANDSHAKE_TIMEOUT_MS: '10000',
};

/**
 * Limits far above what any spec sends, so specs that are not about limits
 * never meet one; a spec about limits sets its own on the gateway it spawns.
 */
export const GENEROUS_LIMITS: Record<string, string> = {
  RATE_LIMIT_ADDRESS: '1000000/1m',
  RATE_LIMIT_ADDRESS_SESSIONS: '1000000/1m',
  RATE_LIMIT_ADDRESS_REALTIME: '1000000/1m',
  RATE_LIMIT_ADDRESS_DEMO_TOKENS: '1000000/1m',
  RATE_LIMIT_SESSION: '1000000/1m',
  RATE_LIMIT_SESSION_CONVERSATIONS: '1000000/1m',
  RATE_LIMIT_SESSION_MESSAGES: '1000000/1m',
  RATE_LIMIT_SESSION_SUBMISSIONS: '1000000/1m',
  RATE_LIMIT_SESSION_TRANSCRIPTS: '1000000/1m',
  RATE_LIMIT_SESSION_AI_ANSWERS: '1000000/1m',
  RATE_LIMIT_ADDRESS_AI_ANSWERS: '1000000/1m',
  RATE_LIMIT_SESSION_UPLOADS: '1000000/1m',
  RATE_LIMIT_SESSION_UPLOAD_BYTES: '100000000000/1m',
  RATE_LIMIT_SESSION_EVENTS: '100000000/1m',
  RATE_LIMIT_SESSION_EVENT_BYTES: '100000000000/1m',
  RATE_LIMIT_WORKSPACE_AI_ANSWERS_PER_DAY: '1000000',
  RATE_LIMIT_ADMIN: '1000000/1m',
  RATE_LIMIT_LOGIN_FAILURES_ADDRESS: '1000000/1m',
  RATE_LIMIT_LOGIN_FAILURES_EMAIL: '1000000/1m',
};


/**
 * Boots the real processes (built JS under apps/<name>/dist) against a fresh
 * PostgreSQL database and a private nats-server of its own (the generated
 * trust boundary: each process connects as its own user, docs/architecture.md),
 * on a private NATS subject namespace too, so several stacks (two developers,
 * CI, a benchmark) never see each other's traffic.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const database = `widget_test_${runId}`;
  const { databaseUrl, drop: dropDatabase } = await createDatabase(database);

  const logDir = options.logDir ?? join(REPO_ROOT, '.stack', 'test-logs', runId);
  mkdirSync(logDir, { recursive: true });
  const natsSubjectPrefix = options.env?.NATS_SUBJECT_PREFIX ?? `t${runId}.`;
  const nats = await PrivateNatsServer.start({ prefix: natsSubjectPrefix, dir: logDir, harness: true });
  const adminKey = `adm_${randomBytes(24).toString('hex')}`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    DATABASE_URL: databaseUrl,
    NATS_URL: nats.url,
    NATS_SUBJECT_PREFIX: natsSubjectPrefix,
    // NATS_PASSWORD_<KIND> of every process kind: launch() hands each process only its own, as NATS_PASSWORD.
    ...nats.passwords,
    SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // The session service signs realtime tokens with it, the realtime service verifies them (issue 26).
    REALTIME_TOKEN_SECRET: randomBytes(32).toString('base64'),
    ADMIN_API_KEY: adminKey,
    ...GENEROUS_LIMITS,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    // Buckets of parallel stacks (developers, CI, benchmarks) sharing one Redis never meet.
    RATE_LIMIT_KEY_PREFIX: `widget:rl:t${runId}:`,
    // Webhooks (SPEC §16) go to receivers the tests start on 127.0.0.1, over http; retries come fast.
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_RETRY_BASE_MS: '200',
    WEBHOOK_POLL_MS: '200',
    ...PATIENT_TIMEOUTS,
    ...options.env,
  };
  const only = process.env.TEST_SERVICES?.split(',').map((s) => s.trim());
  const services = options.services ?? SERVICE_APPS.filter((name) => appExists(name) && (!only || only.includes(name)));
  env.GATEWAY_UPSTREAMS ??= services.join(',');

  const apps: RunningApp[] = [];
  const spawnApp = async (name: AppName, extra: Record<string, string> = {}) => {
    const app = await launch(name, { ...env, ...extra }, logDir, apps.filter((a) => a.name === name).length);
    apps.push(app);
    return app;
  };
  const stop = async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await nats.stop();
    await dropDatabase();
  };

  const target = options.target ?? (process.env.STACK_TARGET === 'all' ? 'all' : 'per-app');
  try {
    if (target === 'all') {
      const withRealtime = options.realtime ?? (appExists('realtime') && (!only || only.includes('realtime')));
      const all = await launchAll([...services, ...(withRealtime ? (['realtime'] as const) : []), 'gateway'], env, logDir, 0);
      apps.push(...all);
      const gateway = all.find((a) => a.name === 'gateway')!;
      const realtime = all.find((a) => a.name === 'realtime');
      if (realtime) env.REALTIME_URL = realtime.url;
      return { baseUrl: gateway.url, logDir, adminKey, databaseUrl, env, apps, gateway, realtime, nats, spawn: spawnApp, stop };
    }
    await Promise.all(services.map((name) => spawnApp(name)));
    let realtime: RunningApp | undefined;
    if (options.realtime ?? (appExists('realtime') && (!only || only.includes('realtime')))) {
      // Behind the gateway's relay, as in `npm run stack` and compose: the client address is the first X-Forwarded-For hop.
      realtime = await spawnApp('realtime', { TRUST_PROXY: 'true' });
      env.REALTIME_URL = realtime.url;
    }
    const gateway = await spawnApp('gateway');
    return { baseUrl: gateway.url, logDir, adminKey, databaseUrl, env, apps, gateway, realtime, nats, spawn: spawnApp, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/**
 * A process sees only its own NATS password (as NATS_PASSWORD), never the
 * stack's others; an explicit NATS_PASSWORD (e.g. harnessNatsEnv) wins.
 */
function ownNatsCredentials(name: AppName, env: Record<string, string>): Record<string, string> {
  const own = env.NATS_PASSWORD ?? env[natsPasswordVariable(name)];
  const rest = Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('NATS_PASSWORD_')));
  return own ? { ...rest, NATS_PASSWORD: own } : rest;
}

/** nats.js options of the harness user: test code that listens to everything or plays a service. */
export function harnessNatsOptions(stack: Pick<StackInfo, 'env'>): { servers: string; user: string; pass: string } {
  return { servers: stack.env.NATS_URL, user: HARNESS_NATS_USER, pass: stack.env[natsPasswordVariable(HARNESS_NATS_USER)] };
}

/** A NatsBus connection (natsConnectOptions' shape) as the harness user, for test code that sends like a service. */
export function harnessBusConnection(stack: Pick<StackInfo, 'env'>, name: string) {
  const { servers, user, pass } = harnessNatsOptions(stack);
  return { servers: [servers], name, user, pass, inboxPrefix: `_INBOX.${HARNESS_NATS_USER}`, ignoreAuthErrorAbort: true as const };
}

/**
 * Env for an extra process in another subject namespace than the stack's
 * (whose users are bound to the stack's): it connects as the harness user.
 */
export function harnessNatsEnv(stack: Pick<StackInfo, 'env'>): Record<string, string> {
  return { NATS_USER: HARNESS_NATS_USER, NATS_PASSWORD: stack.env[natsPasswordVariable(HARNESS_NATS_USER)] };
}

function appExists(name: AppName): boolean {
  try {
    require.resolve(join(REPO_ROOT, 'apps', name, 'dist', 'main.js'));
    return true;
  } catch {
    return false;
  }
}

let extraIndex = 100;

/**
 * One more process on an existing stack (its database, NATS namespace and
 * secrets), e.g. a second gateway or realtime replica from inside a test file:
 * `const gw2 = await spawnApp(testStack(), 'gateway')` … `await gw2.stop()`.
 * `waitFor: 'live'` returns as soon as it listens (for processes that are
 * meant never to become ready).
 */
export async function spawnApp(
  stack: StackInfo,
  name: AppName,
  env: Record<string, string> = {},
  options: { waitFor?: 'live' | 'ready' } = {},
): Promise<RunningApp> {
  const logDir = stack.logDir ?? join(REPO_ROOT, '.stack', 'test-logs', 'extra');
  mkdirSync(logDir, { recursive: true });
  return launch(name, { ...stack.env, ...env }, logDir, extraIndex++, options.waitFor ?? 'ready');
}

/** A port from freePort() can be taken again before the app binds it (parallel test files); then it starts over. */
const PORT_ATTEMPTS = 3;

class PortTaken extends Error {}

async function launch(name: AppName, env: Record<string, string>, logDir: string, index: number, waitFor: 'live' | 'ready' = 'ready'): Promise<RunningApp> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchOnce(name, env, logDir, index, waitFor);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt === PORT_ATTEMPTS) throw err;
    }
  }
}

async function launchOnce(
  name: AppName,
  env: Record<string, string>,
  logDir: string,
  index: number,
  waitFor: 'live' | 'ready',
  ports?: { port: number; healthPort: number },
): Promise<RunningApp> {
  const port = ports?.port ?? (await freePort());
  // The gateway's /metrics lives on an internal port of its own, never the public one.
  const healthPort = ports?.healthPort ?? (name === 'gateway' ? await freePort() : port);
  const portEnv =
    name === 'gateway' ? { PORT: String(port), HEALTH_PORT: String(healthPort) } : name === 'realtime' ? { PORT: String(port) } : { HEALTH_PORT: String(port) };
  const logFile = join(logDir, `${name}-${index}.log`);
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const fd = openSync(logFile, 'a');
  // APP_NODE_ARGS passes flags to every app's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a bench.
  const nodeArgs = (process.env.APP_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(REPO_ROOT, 'apps', name, 'dist', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', ...ownNatsCredentials(name, env), ...portEnv },
    stdio: ['ignore', fd, fd],
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const url = `http://127.0.0.1:${port}`;
  const app: RunningApp = {
    name,
    process: child,
    port,
    url,
    metricsUrl: `http://127.0.0.1:${healthPort}`,
    logFile,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async restart() {
      if (child.exitCode === null && child.signalCode === null) throw new Error(`${name} is still running: stop() it first`);
      return launchOnce(name, env, logDir, index, waitFor, { port, healthPort });
    },
  };
  await waitReady(app, exited, waitFor, logStart);
  return app;
}

/**
 * The one-process mode (apps/server): every app of `names` in one process, each on its own port(s) as in
 * the per-app topology (HEALTH_PORT_<APP>, PORT_REALTIME), each with its own NATS user (the process gets
 * every NATS_PASSWORD_<KIND>). Each app is a RunningApp of the same child: stop() or restart() acts on all.
 */
async function launchAll(names: readonly AppName[], env: Record<string, string>, logDir: string, index: number, given?: Record<string, number>): Promise<RunningApp[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchAllOnce(names, env, logDir, index, given);
    } catch (err) {
      // A port from freePort() taken before the server bound it: new ports, once more (fixed ports are a restart's: no retry).
      if (!(err instanceof PortTaken) || given || attempt === PORT_ATTEMPTS) throw err;
    }
  }
}

async function launchAllOnce(names: readonly AppName[], env: Record<string, string>, logDir: string, index: number, given?: Record<string, number>): Promise<RunningApp[]> {
  const ports: Record<string, number> = given ?? {};
  if (!given) for (const name of [...names, 'gateway-health']) ports[name] = await freePort();
  const portEnv: Record<string, string> = { TARGET: names.join(','), PORT: String(ports.gateway), HEALTH_PORT: String(ports['gateway-health']) };
  for (const name of names) if (name !== 'gateway') portEnv[name === 'realtime' ? 'PORT_REALTIME' : `HEALTH_PORT_${name.toUpperCase()}`] = String(ports[name]);
  const logFile = join(logDir, `server-${index}.log`);
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const fd = openSync(logFile, 'a');
  const nodeArgs = (process.env.APP_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const { NATS_PASSWORD: _shared, ...rest } = env;
  const serverEnv = { PATH: process.env.PATH ?? '', ...rest, ...portEnv };
  const child = spawn(process.execPath, [...nodeArgs, join(REPO_ROOT, 'apps', 'server', 'dist', 'main.js')], { env: serverEnv, stdio: ['ignore', fd, fd] });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    return exited.finally(() => clearTimeout(timer));
  };
  const apps = names.map((name): RunningApp => {
    const url = `http://127.0.0.1:${ports[name]}`;
    const metricsUrl = name === 'gateway' ? `http://127.0.0.1:${ports['gateway-health']}` : url;
    const restart = async () => {
      if (child.exitCode === null && child.signalCode === null) throw new Error('the one-process server is still running: stop() it first');
      return (await launchAll(names, env, logDir, index, ports)).find((a) => a.name === name)!;
    };
    return { name, process: child, port: ports[name], url, metricsUrl, logFile, stop, restart };
  });
  for (const app of apps) await waitReady(app, exited, 'ready', logStart);
  return apps;
}

function serviceOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { service?: string }).service;
  } catch {
    return undefined;
  }
}

async function waitReady(app: RunningApp, exited: Promise<number | null>, waitFor: 'live' | 'ready', logStart: number): Promise<void> {
  let dead = false;
  void exited.then(() => (dead = true));
  // A loaded machine (parallel builds and suites) can take longer; TEST_START_TIMEOUT_MS raises the wait.
  const startTimeoutMs = Number(process.env.TEST_START_TIMEOUT_MS ?? 60_000);
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (dead) {
      const output = readFileSync(app.logFile).subarray(logStart).toString('utf8');
      if (output.includes('EADDRINUSE')) throw new PortTaken(`port ${app.port} was taken`);
      throw new Error(`${app.name} exited during start-up; see ${app.logFile}`);
    }
    try {
      const res = await probeHttp(`${app.url}/health/${waitFor}`);
      // Another process may hold the port (then this one exits with EADDRINUSE): only our app's answer counts.
      if (res.status === 200 && serviceOf(res.body) === app.name) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await app.stop('SIGKILL');
  throw new Error(`${app.name} was not ready within ${startTimeoutMs / 1000} s; see ${app.logFile}`);
}
