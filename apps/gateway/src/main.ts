import { checkNats, ConfigError, natsConnectOptions, createLogger, installGracefulShutdown, loadShutdownConfig } from '@widget/common';
import { loadGatewayConfig } from './config';
import { createGatewayApp } from './gateway-app';
import { GatewayLifecycle } from './health/gateway-lifecycle';
import { checkRedis } from './limits/check-redis';

async function bootstrap(): Promise<void> {
  const logger = createLogger('gateway');
  let config;
  let shutdown;
  try {
    config = loadGatewayConfig();
    shutdown = loadShutdownConfig();
    await checkNats(natsConnectOptions(config, 'gateway', 'gateway-preflight'));
    await checkRedis(config.REDIS_URL);
  } catch (err) {
    logger.fatal(err instanceof ConfigError ? err.message : (err as Error).message);
    process.exit(1);
  }

  const app = await createGatewayApp(config, logger);

  const lifecycle = app.get(GatewayLifecycle);
  // Readiness turns false first; the HTTP listener closes after SHUTDOWN_DELAY_MS and finishes the requests it accepted.
  installGracefulShutdown(app, { logger, config: shutdown, onSignal: () => (lifecycle.shuttingDown = true) });

  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
  logger.info({ port: config.PORT }, `gateway listening on http://${config.HOST}:${config.PORT}`);
}

void bootstrap();
