import { checkNats, checkRedis, ConfigError, natsConnectOptions, createLogger, installGracefulShutdown, loadShutdownConfig, Metrics } from '@widget/common';
import { loadGatewayConfig } from './config';
import { createGatewayApp } from './gateway-app';
import { GatewayLifecycle } from './health/gateway-lifecycle';
import { createHealthServer } from './health/health-port';

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

  const metrics = new Metrics('gateway');
  const app = await createGatewayApp(config, logger, { metrics });

  const lifecycle = app.get(GatewayLifecycle);
  // Readiness turns false first; the HTTP listener closes after SHUTDOWN_DELAY_MS and finishes the requests it accepted.
  installGracefulShutdown(app, { logger, config: shutdown, onSignal: () => (lifecycle.shuttingDown = true) });

  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
  if (config.HEALTH_PORT !== undefined) {
    const health = createHealthServer(app, metrics);
    await new Promise<void>((resolve, reject) => health.once('error', reject).listen(config.HEALTH_PORT, '0.0.0.0', resolve));
    app.getHttpServer().once('close', () => health.close());
    logger.info({ healthPort: config.HEALTH_PORT }, 'gateway metrics and probes on the health port');
  } else {
    logger.warn('HEALTH_PORT is not set: the gateway serves no /metrics');
  }
  logger.info({ port: config.PORT }, `gateway listening on http://${config.HOST}:${config.PORT}`);
}

void bootstrap();
