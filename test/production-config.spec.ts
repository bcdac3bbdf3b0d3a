import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

/**
 * The built apps with NODE_ENV=production refuse, at start-up and naming the
 * variable, the secrets this repository prints as examples (docker-compose.yml's
 * former defaults, docs/deployment.md) and the demo mode. Nothing here reaches
 * NATS: a config problem stops the process before it connects, and a config
 * that passes stops at the unreachable NATS_URL instead, which the specs tell apart.
 */
const ROOT = resolve(__dirname, '..');
const UNREACHABLE_NATS = 'nats://127.0.0.1:9';

function startBuilt(app: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'apps', app, 'dist', 'main.js')], {
      env: { PATH: process.env.PATH ?? '', NATS_URL: UNREACHABLE_NATS, NATS_REQUEST_TIMEOUT_MS: '500', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', fail);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

const production = () => ({
  NODE_ENV: 'production',
  NATS_PASSWORD: randomBytes(24).toString('hex'),
  ADMIN_API_KEY: randomBytes(32).toString('hex'),
  SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  REALTIME_TOKEN_SECRET: randomBytes(32).toString('base64'),
  DATABASE_URL: 'postgres://widget@127.0.0.1:9/widget',
});

describe('NODE_ENV=production: the built apps refuse example secrets and the demo mode at start-up', () => {
  it('the gateway exits on the ADMIN_API_KEY compose printed, naming it and how to generate one (not the value)', async () => {
    const value = 'local-only-admin-key-0123456789abcdef';
    const { code, output } = await startBuilt('gateway', { ...production(), ADMIN_API_KEY: value });
    expect(code).toBe(1);
    expect(output).toMatch(/ADMIN_API_KEY: is an example value printed in this repository, refused with NODE_ENV=production; generate one: `openssl rand -hex 32`/);
    expect(output).not.toContain(value);
  });

  it('the gateway exits on a key shorter than its documented minimum', async () => {
    const { code, output } = await startBuilt('gateway', { ...production(), ADMIN_API_KEY: 'f00dfeed' });
    expect(code).toBe(1);
    expect(output).toMatch(/ADMIN_API_KEY: must be at least 24 characters/);
  });

  it('with generated secrets the gateway passes its config and goes on to NATS (so the refusals above are about the values)', async () => {
    const { code, output } = await startBuilt('gateway', production());
    expect(code).toBe(1);
    expect(output).not.toMatch(/Invalid configuration/);
    expect(output).toContain(UNREACHABLE_NATS.replace('nats://', ''));
  });

  it('the gateway exits with DEMO_MODE=true, naming DEMO_MODE', async () => {
    const { code, output } = await startBuilt('gateway', { ...production(), DEMO_MODE: 'true' });
    expect(code).toBe(1);
    expect(output).toMatch(/DEMO_MODE: must not be true with NODE_ENV=production/);
  });

  it('the session service exits on the SECRET_ENCRYPTION_KEY compose printed, naming it and how to generate one', async () => {
    const { code, output } = await startBuilt('session', { ...production(), SECRET_ENCRYPTION_KEY: 'bG9jYWwtb25seS1rZXktZG8tbm90LXVzZS0zMmJ5dGU=' });
    expect(code).toBe(1);
    expect(output).toMatch(/SECRET_ENCRYPTION_KEY: is an example value .* generate one: `openssl rand -base64 32`/);
  });

  it('a service exits on the NATS password compose printed, naming NATS_PASSWORD', async () => {
    const { code, output } = await startBuilt('events', { ...production(), NATS_PASSWORD: 'local-only-nats-events-password' });
    expect(code).toBe(1);
    expect(output).toMatch(/NATS_PASSWORD: is an example value .*generate one/);
  });
});
