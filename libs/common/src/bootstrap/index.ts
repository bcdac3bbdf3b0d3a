export * from './bootstrap-service';
export * from './config.token';
export * from './graceful-shutdown';
export * from './health';
export * from './preflight';
