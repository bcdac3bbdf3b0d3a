export * from './event-stream';
export * from './durable-consumer';
export * from './on-domain-event';
