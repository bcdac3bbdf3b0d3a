import { NATS_PRINCIPALS, NatsPermissions, natsPermissions, NatsPrincipal, natsUserName } from '@widget/contracts';
import bcrypt from 'bcryptjs';

/** One user of the generated nats-server configuration; without permissions it may do anything (test harness only). */
export interface NatsServerUser {
  user: string;
  password: string;
  permissions?: NatsPermissions;
}

/** The users of every principal in one namespace (NATS_SUBJECT_PREFIX), each with the permissions of its grant. */
export function natsPrincipalUsers(prefix: string, passwords: Record<NatsPrincipal, string>): NatsServerUser[] {
  return NATS_PRINCIPALS.map((principal) => {
    const password = passwords[principal];
    if (!password) throw new Error(`no NATS password for ${principal}`);
    return { user: natsUserName(principal, prefix), password, permissions: natsPermissions(principal, prefix) };
  });
}

const list = (subjects: string[]) => (subjects.length > 0 ? `{ allow: ${JSON.stringify(subjects)} }` : `{ deny: [">"] }`);

/**
 * The `authorization { users = [...] }` block of nats-server's configuration:
 * passwords as bcrypt hashes (nats-server checks a `$2…` password with
 * bcrypt), so the file holds no password. Publish and subscribe are
 * allow-lists (everything else is denied, `$JS.API.>` and `_INBOX.>`
 * included); a principal that answers requests gets `allow_responses` (it may
 * publish once to the reply subject of a request it received, for 2 minutes).
 * `cost` is bcrypt's work factor: nats-server pays it on every connect. `authTimeoutSeconds` is how long the
 * server waits for a new connection's credentials before closing it (nats-server's default is 2 s).
 */
export function natsAuthorizationConfig(users: NatsServerUser[], options: { cost?: number; header?: string; authTimeoutSeconds?: number } = {}): string {
  const cost = options.cost ?? 11;
  const blocks = users.map(({ user, password, permissions }) => {
    const lines = [`    {`, `      user: ${JSON.stringify(user)}`, `      password: ${JSON.stringify(bcrypt.hashSync(password, cost))}`];
    if (permissions) {
      lines.push(`      permissions: {`, `        publish: ${list(permissions.publish)}`, `        subscribe: ${list(permissions.subscribe)}`);
      if (permissions.respond) lines.push(`        allow_responses: true`);
      lines.push(`      }`);
    }
    lines.push(`    }`);
    return lines.join('\n');
  });
  const header = options.header ?? 'Generated from libs/contracts/src/access.ts by scripts/nats-config.js: regenerate it, do not edit it.';
  const timeout = options.authTimeoutSeconds === undefined ? [] : [`  timeout: ${options.authTimeoutSeconds}`];
  return [`# ${header}`, `authorization {`, ...timeout, `  users = [`, blocks.join('\n'), `  ]`, `}`, ''].join('\n');
}
