#!/usr/bin/env node
/**
 * `npm run seed`: creates a demo workspace and widget through the operator
 * API of a running stack, runs every scripts/seed-steps/*.js in name order
 * (demo articles, forms, ...), and prints one JSON line:
 *   { baseUrl, workspaceId, widgetId, widgetSecret, adminApiKey, origin }
 * Env: BASE_URL (default http://localhost:3000), ADMIN_API_KEY (default: the
 * one `npm run stack` generated in .stack/secrets.json).
 */
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

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

async function call(baseUrl, adminKey, method, path, body) {
  const res = await fetch(`${baseUrl}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} /admin/v1${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
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
  return { baseUrl, workspaceId: workspace.id, widgetId: widget.id, widgetSecret: secret, adminApiKey: adminKey, origin: origins[0] };
}

function defaultAdminKey() {
  const file = join(__dirname, '..', '.stack', 'secrets.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).ADMIN_API_KEY : undefined;
}

module.exports = { seed, demoOrigins };

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
