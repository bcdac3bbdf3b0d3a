import { z } from 'zod';
import { baseEnv, ConfigError, envShape, loadConfig, serviceEnv } from './config';
import { PRINTED_SECRET_VALUES, secretEnv } from './secrets';

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

  describe('secrets in production', () => {
    const schema = baseEnv.extend({ API_KEY: secretEnv(z.string().min(24), { generate: 'openssl rand -hex 32' }) });
    const production = { NODE_ENV: 'production', NATS_PASSWORD: 'f3a9c1d27b4e8a06c5d9e2b1' };

    it.each([...PRINTED_SECRET_VALUES, 'local-only-my-own-key-0123456789', '<at least 24 random characters>', 'change-me-change-me-change-me', 'an-example-key-for-the-docs-only'])(
      'refuses %s, naming the variable and how to generate one',
      (value) => {
        expect(() => loadConfig(schema, { ...production, API_KEY: value })).toThrow(/^ {2}- API_KEY: is an example value .*; generate one: openssl rand -hex 32$/m);
        // Outside production the same value starts (local stacks and tests).
        expect(loadConfig(schema, { API_KEY: value }).API_KEY).toBe(value);
      },
    );

    it('accepts a generated value; marks survive .extend() and .optional(), so the NATS password is checked too', () => {
      expect(loadConfig(schema, { ...production, API_KEY: 'b6f1d0c3a9e84f2a7c5e1d9b3a6f0e48' }).API_KEY).toBe('b6f1d0c3a9e84f2a7c5e1d9b3a6f0e48');
      expect(() => loadConfig(serviceEnv, { ...production, NATS_PASSWORD: 'local-only-nats-forms-password' })).toThrow(/NATS_PASSWORD: is an example value .*nats-config\.js --new-passwords/);
    });
  });

  it('envShape reads the variables through .refine(), and refuses what is no env schema', () => {
    const refined = serviceEnv.extend({ LOW: z.coerce.number() }).refine((env) => env.LOW > 0);
    expect(Object.keys(envShape(refined))).toEqual(expect.arrayContaining(['DATABASE_URL', 'LOW']));
    expect(envShape(baseEnv)).toBe(baseEnv.shape);
    expect(() => envShape(z.string())).toThrow(/not an env schema/);
  });
});
