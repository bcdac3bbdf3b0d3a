/** The process's pino logger, for classes that log outside Nest's own logger. */
export const LOGGER = Symbol('LOGGER');
