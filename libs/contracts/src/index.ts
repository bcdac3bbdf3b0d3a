export * from './transport';
export * from './common';
export * from './widget';
export * from './session';
export * from './conversation';
export * from './knowledge';
export * from './forms';
export * from './events';
