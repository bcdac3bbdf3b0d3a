#!/usr/bin/env node
/**
 * `npm run seed`: creates a demo workspace and widget through the operator
 * API of a running stack, runs every scripts/seed-steps/*.js in name order
 * (demo articles, forms, ...), makes the workspace's owner account (invited
 * with the root key, accepted with a generated password), and prints one JSON line:
 *   { baseUrl, workspaceId, widgetId, widgetSecret, adminApiKey, origin, owner: { email, password } }
 * Env: BASE_URL (default http://localhost:3000), ADMIN_API_KEY (default: the
 * one `npm run stack` generated in .stack/secrets.json).
 *
 * The owner is DEMO_OWNER_EMAIL. When that account exists already (an earlier
 * seed), the password a .stack/seed*.json kept for it is reused: the account
 * joins the new workspace as its owner too (the inbox then asks which
 * workspace). When no file knows its password, the new workspace gets an owner
 * of its own instead, owner-<random>@demo.example.com with a fresh password.
 */
const { randomBytes } = require('node:crypto');
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const STATE = join(__dirname, '..', '.stack');
const DEMO_OWNER_EMAIL = 'owner@demo.example.com';
const newPassword = () => randomBytes(15).toString('base64url');

/** A dev server's usual origin (Vite), allowed beside the stack's own. */
const DEV_SERVER_ORIGIN = 'http://localhost:5173';

/**
 * The origins the demo widget allows: the stack's own as a browser opens it
 * (http://localhost:<its port>, also when seeded through 127.0.0.1), so the
 * demo page at /demo/ may frame the widget whatever PORT the stack runs on;
 * and a local dev server's.
 */
function demoOrigins(baseUrl) {
  const url = new URL(baseUrl);
  const host = url.hostname === '127.0.0.1' ? 'localhost' : url.hostname;
  return [...new Set([`${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`, DEV_SERVER_ORIGIN])];
}

/** One /admin/v1 call: { status, body }. */
async function request(baseUrl, token, method, path, body) {
  const res = await fetch(`${baseUrl}/admin/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, ok: res.ok, text, body: text ? JSON.parse(text) : undefined };
}

async function call(baseUrl, adminKey, method, path, body) {
  const res = await request(baseUrl, adminKey, method, path, body);
  if (!res.ok) throw new Error(`${method} /admin/v1${path} answered ${res.status}: ${res.text}`);
  return res.body;
}

/** The owner login an earlier seed kept in .stack/seed*.json (`npm run stack` writes them), if any. */
function knownOwner(dir = STATE) {
  if (!existsSync(dir)) return null;
  for (const file of readdirSync(dir).filter((f) => /^seed(-\d+)?\.json$/.test(f)).sort()) {
    try {
      const { owner } = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      if (owner?.email && owner?.password) return { email: owner.email, password: owner.password };
    } catch {
      // Not a seed file we can read: look at the next.
    }
  }
  return null;
}

/**
 * Makes `workspaceId`'s owner account with the root key: invites it, then
 * accepts with the password. `known` is a login kept from an earlier seed.
 * A person who already has an account proves its password when accepting; if
 * that fails (the password is not known here), the invitation is withdrawn and
 * an owner of this workspace's own is made instead (likewise when the account
 * is a member already). Returns { email, password }.
 */
async function seedOwner({ baseUrl, adminKey, workspaceId }, known = knownOwner()) {
  const invite = async (email, password) => {
    const res = await request(baseUrl, adminKey, 'POST', `/workspaces/${workspaceId}/members`, { email, name: 'Alex from Support', role: 'owner' });
    // A member already (with a password not known here): another owner, then.
    if (res.body?.error?.reason === 'already_member') return null;
    if (!res.ok) throw new Error(`POST /admin/v1/workspaces/${workspaceId}/members answered ${res.status}: ${res.text}`);
    const invited = res.body;
    const accepted = await request(baseUrl, null, 'POST', '/auth/accept-invite', { inviteToken: invited.inviteToken, password });
    if (accepted.ok) {
      // The token accept-invite signed in with is not needed: end it.
      await request(baseUrl, accepted.body.token, 'POST', '/auth/logout');
      return { email, password };
    }
    if (accepted.status !== 401) throw new Error(`POST /admin/v1/auth/accept-invite answered ${accepted.status}: ${accepted.text}`);
    await call(baseUrl, adminKey, 'DELETE', `/workspaces/${workspaceId}/members/${invited.member.id}`);
    return null;
  };
  return (
    (await invite(known?.email ?? DEMO_OWNER_EMAIL, known?.password ?? newPassword())) ??
    (await invite(`owner-${randomBytes(4).toString('hex')}@demo.example.com`, newPassword()))
  );
}

async function seed({ baseUrl, adminKey }) {
  const origins = demoOrigins(baseUrl);
  const admin = (method, path, body) => call(baseUrl, adminKey, method, path, body);
  const workspace = await admin('POST', '/workspaces', { name: 'Demo workspace' });
  const { widget, secret } = await admin('POST', `/workspaces/${workspace.id}/widgets`, {
    name: 'Demo widget',
    allowedOrigins: origins,
  });
  const steps = join(__dirname, 'seed-steps');
  const ctx = { baseUrl, adminKey, workspaceId: workspace.id, widgetId: widget.id, admin };
  if (existsSync(steps)) {
    for (const file of readdirSync(steps).filter((f) => f.endsWith('.js')).sort()) {
      await require(join(steps, file))(ctx);
    }
  }
  const owner = await seedOwner({ baseUrl, adminKey, workspaceId: workspace.id });
  return { baseUrl, workspaceId: workspace.id, widgetId: widget.id, widgetSecret: secret, adminApiKey: adminKey, origin: origins[0], owner };
}

function defaultAdminKey() {
  const file = join(__dirname, '..', '.stack', 'secrets.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).ADMIN_API_KEY : undefined;
}

module.exports = { seed, seedOwner, demoOrigins };

if (require.main === module) {
  const baseUrl = process.env.BASE_URL ?? 'http://localhost:3000';
  const adminKey = process.env.ADMIN_API_KEY ?? defaultAdminKey();
  if (!adminKey) {
    console.error('Set ADMIN_API_KEY (the gateway\'s operator key), or start the stack with `npm run stack` first.');
    process.exit(1);
  }
  seed({ baseUrl, adminKey })
    .then((result) => console.log(JSON.stringify(result)))
    .catch((err) => {
      console.error(`Seeding failed: ${err.message}`);
      process.exit(1);
    });
}
