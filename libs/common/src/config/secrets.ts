import { z } from 'zod';

/** How an operator makes a value for a secret variable, named in every refusal of it. */
export interface SecretSpec {
  generate: string;
}

const SECRETS = new WeakMap<z.ZodTypeAny, SecretSpec>();

/**
 * Marks a variable of an env schema as a secret (the field exactly as it
 * stands in the shape, `.optional()` included): with NODE_ENV=production,
 * loadConfig refuses a value this repository prints as an example, naming the
 * variable and how to generate one. `.extend()` keeps the mark.
 */
export function secretEnv<T extends z.ZodTypeAny>(schema: T, spec: SecretSpec): T {
  SECRETS.set(schema, spec);
  return schema;
}

/**
 * Values this repository once printed as working defaults (docker-compose.yml
 * fell back to them): public, so never a production secret, whatever a
 * deployment's history.
 */
export const PRINTED_SECRET_VALUES: readonly string[] = [
  'local-only-admin-key-0123456789abcdef',
  'bG9jYWwtb25seS1rZXktZG8tbm90LXVzZS0zMmJ5dGU=',
];

/** What the docs, .env.example and the k8s Secret template write where a secret goes. */
const PLACEHOLDER = /local-only|change-?me|example|placeholder|<[^>]*>/i;

/** Problems of the secrets in a parsed config: none outside production. */
export function exampleSecretProblems(shape: z.ZodRawShape, config: unknown): string[] {
  const values = config as Record<string, unknown>;
  if (values?.NODE_ENV !== 'production') return [];
  return Object.entries(shape).flatMap(([name, field]) => {
    const spec = SECRETS.get(field);
    const value = values[name];
    if (!spec || typeof value !== 'string') return [];
    if (!PRINTED_SECRET_VALUES.includes(value) && !PLACEHOLDER.test(value)) return [];
    return [`${name}: is an example value printed in this repository, refused with NODE_ENV=production; generate one: ${spec.generate}`];
  });
}
