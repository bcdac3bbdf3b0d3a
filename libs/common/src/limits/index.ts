export * from './limits.config';
export * from './limiter';
export * from './check-redis';
export * from './client-address';
