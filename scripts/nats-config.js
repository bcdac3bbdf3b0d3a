#!/usr/bin/env node
/**
 * Writes the nats-server authorization (one user per process kind, with the
 * subject permissions of libs/contracts/src/access.ts and bcrypt-hashed
 * passwords) for one namespace. docs/deployment.md, "NATS credentials".
 *
 *   NATS_PASSWORD_GATEWAY=... NATS_PASSWORD_SESSION=... node scripts/nats-config.js --out auth.conf
 *   node scripts/nats-config.js --out auth.conf --new-passwords nats.env   # random passwords for the unset ones
 *
 * NATS_SUBJECT_PREFIX (default empty) is the namespace: subjects and user
 * names follow it (`staging-gateway` for `staging.`). The passwords come from
 * NATS_PASSWORD_<KIND> (GATEWAY, REALTIME, SESSION, CONVERSATION, KNOWLEDGE,
 * FORMS, EVENTS, TEAM, INTEGRATIONS); each process is then started with NATS_PASSWORD set to its
 * own. The output file holds no password; the --new-passwords file does
 * (mode 600): put it in your secret store and delete it.
 */
const { randomBytes } = require('node:crypto');
const { writeFileSync } = require('node:fs');
const { NATS_PRINCIPALS, natsUserName } = require('@widget/contracts');
const { natsAuthorizationConfig, natsPrincipalUsers } = require('@widget/common');

const passwordVariable = (principal) => `NATS_PASSWORD_${principal.toUpperCase()}`;

function parseArgs(argv) {
  const args = { out: null, newPasswords: null, cost: 11 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--out') args.out = value;
    else if (flag === '--new-passwords') args.newPasswords = value;
    else if (flag === '--cost') args.cost = Number(value);
    else throw new Error(`unknown argument ${flag}; usage: nats-config.js [--out FILE] [--new-passwords FILE] [--cost N]`);
    i++;
  }
  return args;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const prefix = process.env.NATS_SUBJECT_PREFIX ?? '';
  if (!/^([A-Za-z0-9_-]+\.)*$/.test(prefix)) throw new Error('NATS_SUBJECT_PREFIX must be empty or end with a dot, e.g. staging.');
  const passwords = {};
  const generated = [];
  for (const principal of NATS_PRINCIPALS) {
    const variable = passwordVariable(principal);
    let password = process.env[variable];
    if (!password && args.newPasswords) {
      password = randomBytes(24).toString('base64url');
      generated.push(`${variable}=${password}`);
    }
    if (!password) throw new Error(`${variable} is not set (or pass --new-passwords FILE to generate the missing ones)`);
    if (password.length < 16) throw new Error(`${variable} must be at least 16 characters`);
    passwords[principal] = password;
  }
  const config = natsAuthorizationConfig(natsPrincipalUsers(prefix, passwords), { cost: args.cost });
  if (args.out) writeFileSync(args.out, config, { mode: 0o644 });
  else process.stdout.write(config);
  if (args.newPasswords && generated.length > 0) writeFileSync(args.newPasswords, `${generated.join('\n')}\n`, { mode: 0o600 });
  const users = NATS_PRINCIPALS.map((p) => natsUserName(p, prefix)).join(', ');
  process.stderr.write(`nats-config: users ${users}${args.out ? ` written to ${args.out}` : ''}${generated.length ? `; ${generated.length} new password(s) in ${args.newPasswords}` : ''}\n`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`nats-config: ${err.message}\n`);
  process.exit(1);
}
