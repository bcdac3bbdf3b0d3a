export * from './nats-bus';
export * from './rpc-server';
export * from './dispatcher';
export * from './connection';
export * from './server-config';
