export * from './nats-bus';
export * from './rpc-server';
export * from './connection';
export * from './server-config';
