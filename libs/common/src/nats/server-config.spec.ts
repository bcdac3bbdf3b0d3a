import { NATS_PRINCIPALS, NatsPrincipal, natsUserName } from '@widget/contracts';
import bcrypt from 'bcryptjs';
import { Writable } from 'node:stream';
import { createLogger } from '../logging';
import { natsConnectOptions } from './connection';
import { natsAuthorizationConfig, natsPrincipalUsers } from './server-config';

const passwords = Object.fromEntries(NATS_PRINCIPALS.map((p) => [p, `password-of-${p}-0123456789`])) as Record<NatsPrincipal, string>;

describe('natsAuthorizationConfig', () => {
  const text = natsAuthorizationConfig(natsPrincipalUsers('staging.', passwords), { cost: 4 });
  const users = [...text.matchAll(/user: "([^"]+)"\n\s+password: "([^"]+)"/g)].map((m) => ({ user: m[1], hash: m[2] }));

  it('has one user per principal, named for the namespace, with a bcrypt hash and never the password', () => {
    expect(users.map((u) => u.user)).toEqual(NATS_PRINCIPALS.map((p) => `staging-${p}`));
    for (const principal of NATS_PRINCIPALS) {
      expect(text).not.toContain(passwords[principal]);
      expect(bcrypt.compareSync(passwords[principal], users.find((u) => u.user === `staging-${principal}`)!.hash)).toBe(true);
    }
  });

  it('lets only answering principals respond, and denies everything to an empty list', () => {
    const block = (principal: string) => text.slice(text.indexOf(`user: "staging-${principal}"`)).split(/\n {4}\}/)[0];
    expect(block('session')).toContain('allow_responses: true');
    expect(block('gateway')).not.toContain('allow_responses');
    expect(block('realtime')).not.toContain('allow_responses');
    // The events service publishes its question for the retention settings (SPEC §17), its own readiness ping, and
    // nothing else but the JetStream API of its own durable consumer on this namespace's stream of domain events.
    const eventsPublish = JSON.parse(/publish: \{ allow: (\[[^\]]*\]) \}/.exec(block('events'))![1]) as string[];
    expect(eventsPublish.filter((subject) => !subject.startsWith('$JS.'))).toEqual(['staging.rpc.session.privacy.retention-policies', 'staging.rpc.events.health']);
    expect(eventsPublish.filter((subject) => subject.startsWith('$JS.')).every((subject) => subject.includes('.staging-domain-events'))).toBe(true);
    const none = natsAuthorizationConfig([{ user: 'x', password: 'y', permissions: { publish: [], subscribe: [], respond: false } }], { cost: 4 });
    expect(none).toContain('publish: { deny: [">"] }');
    expect(none).toContain('subscribe: { deny: [">"] }');
  });
});

describe('natsConnectOptions', () => {
  it('connects as the principal (or NATS_USER) with NATS_PASSWORD, replies to its own inbox', () => {
    expect(natsConnectOptions({ NATS_URL: 'nats://n:4222', NATS_PASSWORD: 'p'.repeat(16) }, 'gateway')).toEqual({
      servers: ['nats://n:4222'],
      name: 'gateway',
      user: natsUserName('gateway'),
      pass: 'p'.repeat(16),
      inboxPrefix: expect.stringMatching(/^_INBOX\.(.+\.)?gateway$/),
      ignoreAuthErrorAbort: true,
    });
    expect(natsConnectOptions({ NATS_URL: 'nats://n:4222', NATS_USER: 'edge', NATS_PASSWORD: 'p'.repeat(16) }, 'gateway', 'gateway-events')).toMatchObject({ user: 'edge', name: 'gateway-events' });
    expect(natsConnectOptions({ NATS_URL: 'nats://n:4222' }, 'events')).not.toHaveProperty('pass');
  });

  it('the logger never writes a NATS password', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const redacting = createLogger('test', 'info', sink);
    redacting.info({ NATS_PASSWORD: 'secret-value-1', connection: { pass: 'secret-value-2' }, config: { NATS_PASSWORD: 'secret-value-3' } }, 'config');
    expect(lines.join('')).toContain('"NATS_PASSWORD":"[redacted]"');
    expect(lines.join('')).not.toMatch(/secret-value/);
  });
});
