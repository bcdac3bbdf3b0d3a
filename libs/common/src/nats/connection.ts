import { natsInboxPrefix, NatsPrincipal, natsUserName } from '@widget/contracts';

/** The part of a process's environment that says how it reaches NATS. */
export interface NatsEnv {
  NATS_URL: string;
  NATS_USER?: string;
  NATS_PASSWORD?: string;
}

/** nats.js connection options of one principal: its server, its own user, its own reply inbox. */
export interface NatsConnectOptions {
  servers: string[];
  name: string;
  user?: string;
  pass?: string;
  inboxPrefix: string;
  /** Refused credentials (a config being rotated or fixed) are retried like any outage, not given up on. */
  ignoreAuthErrorAbort: true;
}

/**
 * How a process connects to NATS (docs/architecture.md, "NATS trust
 * boundary"): with NATS_PASSWORD, as its own user (NATS_USER, by default the
 * principal's name in this namespace: `gateway`, `staging-gateway`), and its
 * replies come to an inbox only that user may subscribe to. Every NATS
 * connection of every app is built from this.
 */
export function natsConnectOptions(env: NatsEnv, principal: NatsPrincipal, name: string = principal): NatsConnectOptions {
  const credentials = env.NATS_PASSWORD ? { user: env.NATS_USER ?? natsUserName(principal), pass: env.NATS_PASSWORD } : {};
  return { servers: [env.NATS_URL], name, ...credentials, inboxPrefix: natsInboxPrefix(principal), ignoreAuthErrorAbort: true };
}
