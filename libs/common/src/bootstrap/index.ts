export * from './app-kit';
export * from './config.token';
export * from './graceful-shutdown';
export * from './health';
export * from './preflight';
export * from './one-process';
export * from '../scheduler';
