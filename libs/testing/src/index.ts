export * from './ports';
export * from './stack';
export * from './http';
export * from './factories';
export * from './socket';
export * from './metrics';
export * from './plain-socket';
export * from './browser';
