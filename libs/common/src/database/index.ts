export * from './database';
export * from './idempotency';
export * from './prepared';
export * from './audit-log';
export * from './erasure-ledger';
export * from './person-data';
export * from './share-of-time';
