export * from './database';
export * from './idempotency';
export * from './prepared';
export * from './audit-log';
export * from './erasure-ledger';
export * from './person-data';
export * from './share-of-time';
export * from './unit-of-work';
export * from './unavailable';
// The unit of work's injected time (Clock) lives beside Ids; exported here with the write path it serves.
export * from '../clock';
