/** The app's pino logger, injected by the process kit (libs/common). */
export { LOGGER } from '@widget/common';
