export * from './every';
