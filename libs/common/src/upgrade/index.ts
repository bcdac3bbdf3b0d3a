export * from './upgrade';
export * from './local-servers';
