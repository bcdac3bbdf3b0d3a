export * from './tokens';
export * from './origin';
