export * from './metrics';
export * from './nats-metrics.interceptor';
export * from './metrics.controller';
