import { DynamicModule, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions } from '@nestjs/microservices';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import { QUEUE, ServiceName } from '@widget/contracts';
import { ConfigError, ServiceEnv } from '../config';
import { dataSourceOptions, runMigrations, ServiceDatabase } from '../database';
import { createLogger, PinoNestLogger } from '../logging';
import { Metrics, metricsController, NatsMetricsInterceptor } from '../metrics';
import { NatsBus, natsConnectOptions, RpcErrorFilter, RequestContextInterceptor } from '../nats';
import { CONFIG } from './config.token';
import { drainingNatsStrategy, installGracefulShutdown, loadShutdownConfig, ShutdownConfig } from './graceful-shutdown';
import { serviceHealthController, ServiceReadiness } from './health';
import { checkNats, checkPostgres } from './preflight';

export interface ServiceSpec<C extends ServiceEnv> {
  name: ServiceName;
  /** Validates the environment; may throw ConfigError. */
  loadConfig: () => C;
  database: (config: C) => ServiceDatabase;
  /** The service's own module (handlers, domain, persistence). */
  module: Type<unknown>;
}

/** The one start-up path of every NATS service: config, preflight, migrations, then serve. */
export async function bootstrapService<C extends ServiceEnv>(spec: ServiceSpec<C>): Promise<void> {
  const logger = createLogger(spec.name);
  let config: C;
  let shutdown: ShutdownConfig;
  try {
    config = spec.loadConfig();
    shutdown = loadShutdownConfig();
  } catch (err) {
    logger.fatal(err instanceof ConfigError ? err.message : String(err));
    process.exit(1);
  }
  const database = spec.database(config);
  try {
    await Promise.all([checkPostgres(config.DATABASE_URL), checkNats(natsConnectOptions(config, spec.name, `${spec.name}-preflight`))]);
    const migrateOnly = process.argv.includes('--migrate-only');
    if (config.RUN_MIGRATIONS || migrateOnly) {
      const applied = await runMigrations(database);
      logger.info({ applied }, `migrations of schema "${database.schema}" up to date`);
    }
    if (migrateOnly) process.exit(0);
  } catch (err) {
    logger.fatal((err as Error).message);
    process.exit(1);
  }

  @Module({
    imports: [
      TypeOrmModule.forRoot({ ...dataSourceOptions(database), retryAttempts: 2, retryDelay: 500 }),
      spec.module,
    ],
  })
  class RootModule {}

  const metrics = new Metrics(spec.name);
  const global: DynamicModule = {
    module: class ServiceCoreModule {},
    global: true,
    providers: [
      { provide: CONFIG, useValue: config },
      { provide: NatsBus, useFactory: () => new NatsBus({ connection: natsConnectOptions(config, spec.name), requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS }) },
      ServiceReadiness,
      { provide: Metrics, useValue: metrics },
    ],
    exports: [CONFIG, NatsBus, ServiceReadiness, Metrics],
    controllers: [serviceHealthController(spec.name), metricsController()],
  };

  const app = await NestFactory.create<NestFastifyApplication>(
    { module: class AppModule {}, imports: [global, RootModule] },
    new FastifyAdapter(),
    { logger: new PinoNestLogger(logger), abortOnError: false },
  );
  app.useGlobalFilters(new RpcErrorFilter(logger));
  app.useGlobalInterceptors(new RequestContextInterceptor(logger), new NatsMetricsInterceptor(metrics));
  app.connectMicroservice<MicroserviceOptions>(drainingNatsStrategy(natsConnectOptions(config, spec.name, `${spec.name}-server`), QUEUE[spec.name]), { inheritAppConfig: true });

  const readiness = app.get(ServiceReadiness);
  installGracefulShutdown(app, { logger, config: shutdown, onSignal: () => readiness.markShuttingDown() });

  await app.startAllMicroservices();
  await app.listen(config.HEALTH_PORT, '0.0.0.0');
  logger.info({ healthPort: config.HEALTH_PORT }, `${spec.name} service ready`);
}
