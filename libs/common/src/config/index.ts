export * from './config';
export { secretEnv, type SecretSpec } from './secrets';
