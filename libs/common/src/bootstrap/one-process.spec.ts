import { Readiness } from './health';
import { oneProcessEnv } from './one-process';

describe('oneProcessEnv (TARGET=all)', () => {
  const env = {
    NATS_URL: 'nats://n:4222',
    NATS_PASSWORD_SESSION: 'session-password-0123',
    NATS_PASSWORD_GATEWAY: 'gateway-password-0123',
    PORT: '3000',
    HOST: '0.0.0.0',
    HEALTH_PORT: '8080',
    HEALTH_PORT_TEAM: '8102',
    DATABASE_URL: 'postgres://db/widget',
    DATABASE_URL_KNOWLEDGE: 'postgres://other/knowledge',
    PORT_REALTIME: '3901',
  };
  const all = ['session', 'team', 'knowledge', 'realtime', 'gateway'] as const;

  it('gives each app its own <NAME>_<APP> as <NAME>, and the shared value otherwise', () => {
    expect(oneProcessEnv('session', env, all)).toMatchObject({ NATS_PASSWORD: 'session-password-0123', DATABASE_URL: 'postgres://db/widget' });
    expect(oneProcessEnv('knowledge', env, all)).toMatchObject({ DATABASE_URL: 'postgres://other/knowledge' });
    expect(oneProcessEnv('team', env, all).NATS_PASSWORD).toBeUndefined();
  });

  it('keeps PORT, HOST and HEALTH_PORT for the gateway; a service takes HEALTH_PORT_<APP> or a free port', () => {
    expect(oneProcessEnv('gateway', env, all)).toMatchObject({ PORT: '3000', HOST: '0.0.0.0', HEALTH_PORT: '8080', NATS_PASSWORD: 'gateway-password-0123' });
    expect(oneProcessEnv('team', env, all)).toMatchObject({ HEALTH_PORT: '8102' });
    const session = oneProcessEnv('session', env, all);
    expect(['PORT', 'HOST', 'HEALTH_PORT'].filter((key) => key in session)).toEqual([]);
  });

  it('puts realtime on loopback behind the gateway relay, and points the gateway at it and at the services here', () => {
    expect(oneProcessEnv('realtime', env, all)).toMatchObject({ PORT: '3901', HOST: '127.0.0.1', TRUST_PROXY: 'true' });
    expect(oneProcessEnv('gateway', env, all)).toMatchObject({ REALTIME_URL: 'http://127.0.0.1:3901', GATEWAY_UPSTREAMS: 'session,team,knowledge' });
    expect(oneProcessEnv('gateway', env, ['session', 'gateway']).REALTIME_URL).toBeUndefined();
  });
});

describe('Readiness', () => {
  it('reports every registered check by name, a throwing one as false, and accepting until it drains', async () => {
    const readiness = new Readiness('team');
    readiness.register('database', () => true);
    readiness.register('nats', async () => {
      throw new Error('no answer');
    });
    expect(await readiness.report()).toEqual({ status: 503, body: { status: 'unavailable', service: 'team', checks: { database: true, nats: false, accepting: true } } });
    const healthy = new Readiness('team');
    healthy.register('database', () => true);
    expect((await healthy.report()).status).toBe(200);
    healthy.markDraining();
    expect(await healthy.report()).toMatchObject({ status: 503, body: { checks: { database: true, accepting: false } } });
    expect(() => healthy.register('database', () => true)).toThrow(/twice/);
  });
});
