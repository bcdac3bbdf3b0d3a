export * from './upgrade';
