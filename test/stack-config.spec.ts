// eslint-disable-next-line @typescript-eslint/no-require-imports
const { resolveStack } = require('../scripts/stack-config');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { demoOrigins } = require('../scripts/seed');

describe('npm run stack: ports and secrets', () => {
  const stored = { ADMIN_API_KEY: 'adm_stored', SECRET_ENCRYPTION_KEY: 'stored-key' };

  it('keeps the usual ports for the default PORT', () => {
    expect(resolveStack({}, stored)).toMatchObject({
      port: 3000,
      realtimePort: 3001,
      gatewayHealthPort: 3100,
      servicePorts: { session: 3101, conversation: 3102, knowledge: 3103, forms: 3104, events: 3105 },
      natsSubjectPrefix: '',
      seedFile: 'seed.json',
      nats: { own: true, port: 3222 },
    });
  });

  it('derives every port and the NATS namespace from another PORT, so two stacks do not collide', () => {
    const a = resolveStack({ PORT: '3000' }, stored);
    const b = resolveStack({ PORT: '3400' }, stored);
    expect(b).toMatchObject({ port: 3400, realtimePort: 3401, servicePorts: { session: 3501, events: 3505 }, natsSubjectPrefix: 'port3400.', seedFile: 'seed-3400.json' });
    expect(b.nats).toEqual({ own: true, port: 3622 });
    const ports = (c: any) => [c.port, c.realtimePort, c.gatewayHealthPort, ...Object.values(c.servicePorts)];
    expect(ports(a).filter((p) => ports(b).includes(p))).toEqual([]);
  });

  it('derives the rate-limit key prefix from PORT like the NATS namespace, so two stacks on one Redis keep their own buckets', () => {
    expect(resolveStack({}, stored).rateLimitKeyPrefix).toBe('widget:rl:');
    const a = resolveStack({ PORT: '3400' }, stored).rateLimitKeyPrefix;
    const b = resolveStack({ PORT: '3600' }, stored).rateLimitKeyPrefix;
    expect([a, b]).toEqual(['widget:rl:port3400:', 'widget:rl:port3600:']);
    expect(resolveStack({ PORT: '3400', RATE_LIMIT_KEY_PREFIX: 'dev:rl:' }, stored).rateLimitKeyPrefix).toBe('dev:rl:');
  });

  it('turns demo mode on, except with NODE_ENV=production (the gateway refuses it there)', () => {
    expect(resolveStack({}, stored).demoMode).toBe(true);
    expect(resolveStack({ NODE_ENV: 'development' }, stored).demoMode).toBe(true);
    expect(resolveStack({ NODE_ENV: 'production' }, stored).demoMode).toBe(false);
  });

  it('explicit REALTIME_PORT, HEALTH_PORT_BASE and NATS_SUBJECT_PREFIX win; a bad port is refused', () => {
    expect(resolveStack({ PORT: '3400', REALTIME_PORT: '4001', HEALTH_PORT_BASE: '4100', NATS_SUBJECT_PREFIX: 'dev.' }, stored)).toMatchObject({
      realtimePort: 4001,
      servicePorts: { session: 4100, events: 4104 },
      natsSubjectPrefix: 'dev.',
    });
    expect(() => resolveStack({ PORT: 'abc' }, stored)).toThrow(/PORT/);
  });

  it('ADMIN_API_KEY and SECRET_ENCRYPTION_KEY from the environment win over .stack/secrets.json', () => {
    expect(resolveStack({}, stored).secrets).toEqual(stored);
    expect(resolveStack({ ADMIN_API_KEY: 'adm_env' }, stored).secrets).toEqual({ ADMIN_API_KEY: 'adm_env', SECRET_ENCRYPTION_KEY: 'stored-key' });
    expect(resolveStack({ ADMIN_API_KEY: 'adm_env', SECRET_ENCRYPTION_KEY: 'env-key' }, stored).secrets).toEqual({ ADMIN_API_KEY: 'adm_env', SECRET_ENCRYPTION_KEY: 'env-key' });
  });

  it('starts its own nats-server unless NATS_URL is set; NATS_PASSWORD_<APP> from the environment win over stored ones', () => {
    const withNats = { ...stored, NATS_PASSWORD_GATEWAY: 'stored-gateway-password', NATS_PASSWORD_EVENTS: 'stored-events-password' };
    expect(resolveStack({ NATS_PORT: '4333' }, withNats)).toMatchObject({
      nats: { own: true, port: 4333 },
      natsPasswords: { NATS_PASSWORD_GATEWAY: 'stored-gateway-password', NATS_PASSWORD_EVENTS: 'stored-events-password' },
    });
    expect(resolveStack({ NATS_PASSWORD_GATEWAY: 'env-gateway-password' }, withNats).natsPasswords.NATS_PASSWORD_GATEWAY).toBe('env-gateway-password');
    // Another server: only the passwords the environment gives (the stored ones are this stack's own server's).
    expect(resolveStack({ NATS_URL: 'nats://nats.example:4222', NATS_PASSWORD_SESSION: 'env-session-password' }, withNats)).toMatchObject({
      nats: { own: false, url: 'nats://nats.example:4222' },
      natsPasswords: { NATS_PASSWORD_SESSION: 'env-session-password' },
    });
    expect(resolveStack({ NATS_URL: 'nats://nats.example:4222' }, withNats).natsPasswords).toEqual({});
  });

  it('the demo widget allows the stack\'s own origin on every PORT (so /demo/ may frame it), and a dev server\'s', () => {
    expect(demoOrigins('http://127.0.0.1:3000')).toEqual(['http://localhost:3000', 'http://localhost:5173']);
    expect(demoOrigins('http://127.0.0.1:3600')).toEqual(['http://localhost:3600', 'http://localhost:5173']);
    expect(demoOrigins('https://support.example.com')).toEqual(['https://support.example.com', 'http://localhost:5173']);
  });
});
