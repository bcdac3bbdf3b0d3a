import { SERVICE_NAMES } from '@widget/contracts';
import type { AppName } from './app-kit';

/**
 * Variables that differ between the apps of one process (TARGET=all): each
 * app reads `<NAME>_<APP>` (e.g. NATS_PASSWORD_SESSION, HEALTH_PORT_TEAM,
 * DATABASE_URL_KNOWLEDGE) as `<NAME>`. Everything else is one value for all.
 */
export const PER_APP_VARIABLES = ['NATS_USER', 'NATS_PASSWORD', 'DATABASE_URL', 'DATABASE_POOL_SIZE', 'HEALTH_PORT', 'PORT', 'HOST', 'TRUST_PROXY', 'LOG_LEVEL'] as const;

/** Listener variables whose plain form is the gateway's own: another app binding the same port would fail. */
const GATEWAY_LISTENERS = new Set(['PORT', 'HOST', 'HEALTH_PORT']);

/** Realtime's port in one process unless PORT_REALTIME says otherwise. */
export const ONE_PROCESS_REALTIME_PORT = 3001;

/**
 * The environment one app of a one-process deployment sees: the process's,
 * with its own `<NAME>_<APP>` variables as `<NAME>`; PORT/HOST/HEALTH_PORT
 * stay the gateway's (services take HEALTH_PORT_<APP>, else any free port);
 * realtime listens on loopback (PORT_REALTIME, default 3001) behind the
 * gateway's relay, which the gateway is pointed at (REALTIME_URL), and the
 * gateway's upstreams are the services running here (GATEWAY_UPSTREAMS).
 */
export function oneProcessEnv(name: AppName, env: NodeJS.ProcessEnv, running: readonly AppName[]): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  const suffix = name.toUpperCase();
  for (const key of PER_APP_VARIABLES) {
    const own = env[`${key}_${suffix}`];
    if (own !== undefined) out[key] = own;
    else if (GATEWAY_LISTENERS.has(key) && name !== 'gateway') delete out[key];
  }
  if (name === 'realtime') {
    out.PORT ??= String(ONE_PROCESS_REALTIME_PORT);
    out.HOST ??= '127.0.0.1';
    out.TRUST_PROXY ??= 'true';
  }
  if (name === 'gateway') {
    if (running.includes('realtime')) out.REALTIME_URL ??= `http://127.0.0.1:${env.PORT_REALTIME ?? ONE_PROCESS_REALTIME_PORT}`;
    out.GATEWAY_UPSTREAMS ??= running.filter((app) => (SERVICE_NAMES as string[]).includes(app)).join(',');
  }
  return out;
}
