import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { checkNats } from './preflight';

const NATS_SERVER = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The start-up check against a real nats-server: a server that comes a moment late is waited for, a missing one named. */
describe('checkNats', () => {
  let server: ChildProcess | null = null;
  afterEach(() => {
    server?.kill('SIGKILL');
    server = null;
  });

  it('waits for a server that starts a moment after the process does', async () => {
    const port = await freePort();
    const started = setTimeout(() => (server = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' })), 700);
    try {
      await expect(checkNats({ servers: [`nats://127.0.0.1:${port}`], name: 'preflight-spec', inboxPrefix: '_INBOX', ignoreAuthErrorAbort: true })).resolves.toBeUndefined();
    } finally {
      clearTimeout(started);
    }
  });

  it('names the URL and how to start it when nothing answers, after its retries', async () => {
    const port = await freePort();
    const began = Date.now();
    await expect(checkNats({ servers: [`nats://127.0.0.1:${port}`], name: 'preflight-spec', inboxPrefix: '_INBOX', ignoreAuthErrorAbort: true })).rejects.toThrow(
      new RegExp(`^Cannot reach NATS at nats://127\\.0\\.0\\.1:${port} \\(.+\\)\\. Start it \\(nats-server -js\\)`),
    );
    // Three attempts, a second apart: it gave the server about two seconds, not one attempt.
    expect(Date.now() - began).toBeGreaterThanOrEqual(1900);
  });
});
