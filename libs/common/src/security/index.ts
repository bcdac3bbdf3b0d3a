export * from './tokens';
export * from './origin';
export * from './realtime-token';
