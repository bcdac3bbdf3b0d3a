export * from './nats-bus';
export * from './rpc-server';
