export * from './database';
export * from './idempotency';
export * from './prepared';
