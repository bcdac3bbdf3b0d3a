import { z } from 'zod';
import { baseEnv, ConfigError, loadConfig, serviceEnv } from './config';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const config = loadConfig(serviceEnv, {});
    expect(config).toMatchObject({ NATS_URL: 'nats://127.0.0.1:4222', NATS_SUBJECT_PREFIX: '', RUN_MIGRATIONS: true, NATS_REQUEST_TIMEOUT_MS: 5000 });
  });

  it('names every bad variable', () => {
    const schema = baseEnv.extend({ SECRET: z.string() });
    try {
      loadConfig(schema, { NATS_URL: 'http://x', NATS_REQUEST_TIMEOUT_MS: 'soon' });
      throw new Error('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^NATS_URL: /m);
      expect(problems).toMatch(/^NATS_REQUEST_TIMEOUT_MS: /m);
      expect(problems).toMatch(/^SECRET: /m);
    }
  });

  it('refuses a subject prefix without the trailing dot', () => {
    expect(() => loadConfig(baseEnv, { NATS_SUBJECT_PREFIX: 'staging' })).toThrow(/NATS_SUBJECT_PREFIX/);
  });

  it('NATS credentials: required in production, a user needs a password, the password is long enough', () => {
    expect(() => loadConfig(baseEnv, { NODE_ENV: 'production' })).toThrow(/NATS_PASSWORD: is required in production/);
    expect(loadConfig(baseEnv, { NODE_ENV: 'production', NATS_PASSWORD: 'a-long-enough-password' }).NATS_PASSWORD).toBe('a-long-enough-password');
    expect(() => loadConfig(baseEnv, { NATS_USER: 'gateway' })).toThrow(/NATS_PASSWORD: is required with NATS_USER/);
    expect(() => loadConfig(baseEnv, { NATS_PASSWORD: 'short' })).toThrow(/NATS_PASSWORD: must be at least 16/);
    // Development and tests may still use an auth-less server.
    expect(loadConfig(baseEnv, {}).NATS_PASSWORD).toBeUndefined();
  });
});
