import { DynamicModule, INestApplication, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NatsPrincipal, QUEUE, SERVICE_NAMES, ServiceName } from '@widget/contracts';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import { baseEnv, ConfigError, loadConfig, ServiceEnv } from '../config';
import { dataSourceOptions, runMigrations, ServiceDatabase } from '../database';
import { createLogger, LOGGER, logLevelOrExit, PinoNestLogger } from '../logging';
import { Metrics, metricsController } from '../metrics';
import { NatsBus, natsConnectOptions, ProbeErrorFilter, startDispatcher } from '../nats';
import { Scheduler } from '../scheduler';
import { registerLocalServer } from '../upgrade';
import { CONFIG } from './config.token';
import { shutdownEnv, ShutdownConfig } from './graceful-shutdown';
import { healthController, healthPingController, Readiness, serviceChecks } from './health';
import { checkNats, checkPostgres } from './preflight';

/** The environment every app's config extends. */
export type BaseEnv = z.infer<typeof baseEnv>;

/** Every deployable process kind: the seven NATS services and the two edges. */
export type AppName = NatsPrincipal;

/** What an app's parts are built from: its validated config, its logger, its registry, its readiness. */
export interface AppContext<C> {
  name: AppName;
  config: C;
  shutdown: ShutdownConfig;
  logger: Logger;
  metrics: Metrics;
  readiness: Readiness;
}

export interface AppSpec<C extends BaseEnv = BaseEnv> {
  name: AppName;
  /** The app's env schema; validated before anything starts (every bad variable named, exit 1). */
  config: z.ZodType<C, z.ZodTypeDef, unknown>;
  /** The root module, given the context. The kit adds CONFIG, LOGGER, Metrics, Readiness, Scheduler and /health as globals. */
  module: (ctx: AppContext<C>) => Type<unknown> | DynamicModule;
  /** Checks beyond NATS (which every app has) that fail within seconds naming what is missing, e.g. Redis. */
  preflight?: (ctx: AppContext<C>) => Promise<void>;
  /** A service's PostgreSQL schema: checked, migrated (RUN_MIGRATIONS, --migrate-only), and TypeORM's root. */
  database?: (config: C) => ServiceDatabase;
  http?: {
    /** Default: HEALTH_PORT (a service's probes and /metrics). */
    port?: (config: C) => number;
    /** Default: 0.0.0.0. */
    host?: (config: C) => string;
    /** The listen queue's length (the kernel caps it at net.core.somaxconn). Default: Node's 511. */
    backlog?: (config: C) => number;
    adapter?: (ctx: AppContext<C>) => FastifyAdapter;
    nestOptions?: { bodyParser?: boolean };
    /** Plugins, filters, interceptors: everything before the listener opens. */
    setup?: (app: NestFastifyApplication, ctx: AppContext<C>) => Promise<void> | void;
    /** After the listener is open (the gateway's health port). */
    started?: (app: NestFastifyApplication, ctx: AppContext<C>) => Promise<void> | void;
    /** Close idle keep-alive connections as the app closes (probes and finished polls would hold the listener). */
    closeIdleConnections?: boolean;
  };
  /** The app's NATS handlers: queue (replicas share requests) or none (each replica hears every event); logEach: a line per message. */
  nats?: { connection: string; queue?: string; logEach?: boolean };
  /** The first step of draining, after readiness dropped (realtime: refuse new transports, tell clients to reconnect). */
  drain?: (app: NestFastifyApplication, ctx: AppContext<C>) => void;
}

/** A started app: its Nest application, context, and NATS handlers (drained before the app closes). */
export interface StartedApp {
  spec: AppSpec<BaseEnv>;
  app: NestFastifyApplication;
  ctx: AppContext<BaseEnv>;
  nats?: { drain(): Promise<void> };
}

// Any app's spec, whatever its config type (runApps takes a list of them).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAppSpec = AppSpec<any>;

/** The one place an app's NATS handlers are started (libs/common/src/nats owns the transport and its draining). */
async function startNats(app: INestApplication, spec: AnyAppSpec, ctx: AppContext<BaseEnv>): Promise<{ drain(): Promise<void> } | undefined> {
  if (!spec.nats) return undefined;
  const { connection, queue, logEach } = spec.nats;
  return startDispatcher(app, { connection: natsConnectOptions(ctx.config, spec.name, connection), queue, logger: ctx.logger, metrics: ctx.metrics, logEach });
}

/** The globals every app gets: config, logger, metrics, readiness, scheduler, and its /health controller. */
function kitModule(ctx: AppContext<unknown>): DynamicModule {
  const providers = [
    { provide: CONFIG, useValue: ctx.config },
    { provide: LOGGER, useValue: ctx.logger },
    { provide: Metrics, useValue: ctx.metrics },
    { provide: Readiness, useValue: ctx.readiness },
    Scheduler,
  ];
  return {
    module: class AppKitModule {},
    global: true,
    providers,
    exports: [CONFIG, LOGGER, Metrics, Readiness, Scheduler],
    controllers: [healthController(ctx.name)],
  };
}

/** Validates LOG_LEVEL, then the app's config; the logger exists only once LOG_LEVEL is known good. */
function contextOrExit<C extends BaseEnv>(spec: AppSpec<C>, env: NodeJS.ProcessEnv): AppContext<C> {
  const level = logLevelOrExit(env);
  const logger = createLogger(spec.name, level);
  try {
    const config = loadConfig(spec.config, env);
    const shutdown = loadConfig(shutdownEnv, env);
    return { name: spec.name, config, shutdown, logger, metrics: new Metrics(spec.name), readiness: new Readiness(spec.name) };
  } catch (err) {
    logger.fatal(err instanceof ConfigError ? err.message : String(err));
    process.exit(1);
  }
}

/** NATS (and the spec's own checks, and a service's database and migrations) before any module is built. */
async function preflight<C extends BaseEnv>(spec: AppSpec<C>, ctx: AppContext<C>, migrateOnly: boolean): Promise<void> {
  const database = spec.database?.(ctx.config);
  await Promise.all([
    checkNats(natsConnectOptions(ctx.config, spec.name, `${spec.name}-preflight`)),
    database && checkPostgres(database.url),
    spec.preflight?.(ctx),
  ]);
  if (database && ((ctx.config as unknown as ServiceEnv).RUN_MIGRATIONS || migrateOnly)) {
    const applied = await runMigrations(database);
    ctx.logger.info({ applied }, `migrations of schema "${database.schema}" up to date`);
  }
}

/** The app's Nest application, every module, route and hook registered, not yet listening (the specs build it too). */
export async function buildApp<C extends BaseEnv>(spec: AppSpec<C>, ctx: AppContext<C>, options: { adapter?: FastifyAdapter } = {}): Promise<NestFastifyApplication> {
  const database = spec.database?.(ctx.config);
  const imports = [kitModule(ctx), ...(database ? [TypeOrmModule.forRoot({ ...dataSourceOptions(database), retryAttempts: 2, retryDelay: 500 })] : []), spec.module(ctx)];
  @Module({ imports })
  class AppRootModule {}
  const adapter = options.adapter ?? spec.http?.adapter?.(ctx) ?? new FastifyAdapter({ logger: false });
  const app = await NestFactory.create<NestFastifyApplication>(AppRootModule, adapter, {
    logger: new PinoNestLogger(ctx.logger),
    abortOnError: false,
    ...spec.http?.nestOptions,
  });
  await spec.http?.setup?.(app, ctx);
  return app;
}

async function listen<C extends BaseEnv>(spec: AppSpec<C>, ctx: AppContext<C>, started: StartedApp): Promise<void> {
  const { app } = started;
  started.nats = await startNats(app, spec, ctx);
  const port = spec.http?.port?.(ctx.config) ?? (ctx.config as unknown as ServiceEnv).HEALTH_PORT;
  const host = spec.http?.host?.(ctx.config) ?? '0.0.0.0';
  const backlog = spec.http?.backlog?.(ctx.config);
  await app.listen({ port, host, ...(backlog === undefined ? {} : { backlog }) });
  registerLocalServer(app.getHttpServer() as Server);
  await spec.http?.started?.(app, ctx);
  const address = app.getHttpServer().address();
  ctx.logger.info({ port: typeof address === 'object' && address ? address.port : port }, `${spec.name} ready on http://${host}:${typeof address === 'object' && address ? address.port : port}`);
}

/**
 * Drains every app of this process on SIGTERM/SIGINT: readiness drops (and
 * each app's own first step runs, and its maintenance loops stop), then after
 * SHUTDOWN_DELAY_MS (while still serving, so load balancers stop routing
 * here) the apps close, edges first: HTTP listeners stop accepting and finish
 * their requests, NATS subscriptions drain and the requests they took are
 * answered, then database and NATS clients close. Past SHUTDOWN_TIMEOUT_MS, or
 * on a second signal, the process exits 1.
 */
function installDrain(apps: StartedApp[], logger: Logger): void {
  const delayMs = Math.max(...apps.map((a) => a.ctx.shutdown.SHUTDOWN_DELAY_MS));
  const timeoutMs = Math.max(...apps.map((a) => a.ctx.shutdown.SHUTDOWN_TIMEOUT_MS));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    for (const { spec, app, ctx } of apps) {
      ctx.readiness.markDraining();
      void app.get(Scheduler).stopAll();
      spec.drain?.(app, ctx);
    }
    logger.info({ signal, delayMs }, 'shutting down: not ready, finishing work in flight');
    setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out: exiting with work in flight');
      process.exit(1);
    }, delayMs + timeoutMs).unref();
    const close = (group: StartedApp[]) =>
      Promise.all(
        group.map(async ({ spec, app, nats }) => {
          // NATS first: no new message is taken, and those taken are answered while the database is still open.
          await nats?.drain();
          const closing = app.close();
          if (spec.http?.closeIdleConnections) (app.getHttpServer() as Server).closeIdleConnections();
          await closing;
        }),
      );
    const isService = (a: StartedApp) => (SERVICE_NAMES as string[]).includes(a.spec.name);
    void new Promise((resolve) => setTimeout(resolve, delayMs))
      .then(() => close(apps.filter((a) => !isService(a))))
      .then(() => close(apps.filter(isService)))
      .then(
        () => {
          logger.info('shutdown complete');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * Starts apps in this process (one in the per-process topology, all nine with
 * TARGET=all): every config validated first, then every preflight, then the
 * services (together), then the edges in the order given; one drain for all.
 * `envOf` gives each app its environment (default: the process's).
 */
export async function runApps(specs: AnyAppSpec[], options: { envOf?: (name: AppName) => NodeJS.ProcessEnv; logger?: Logger } = {}): Promise<StartedApp[]> {
  const contexts = specs.map((spec) => contextOrExit(spec, options.envOf?.(spec.name) ?? process.env));
  const logger = options.logger ?? contexts[0].logger;
  const migrateOnly = process.argv.includes('--migrate-only');
  try {
    await Promise.all(specs.map((spec, i) => preflight(spec, contexts[i], migrateOnly)));
  } catch (err) {
    logger.fatal((err as Error).message);
    process.exit(1);
  }
  if (migrateOnly) process.exit(0);

  const started: StartedApp[] = [];
  const start = async (i: number) => {
    try {
      const app = await buildApp(specs[i], contexts[i]);
      const entry: StartedApp = { spec: specs[i], app, ctx: contexts[i] };
      started.push(entry);
      await listen(specs[i], contexts[i], entry);
    } catch (err) {
      // Past the preflight a start can still fail (a NATS connect timing out on a loaded box): one fatal line, exit 1.
      contexts[i].logger.fatal({ err }, `${specs[i].name} did not start`);
      process.exit(1);
    }
  };
  const isService = (spec: AnyAppSpec) => (SERVICE_NAMES as string[]).includes(spec.name);
  await Promise.all(specs.map((spec, i) => (isService(spec) ? start(i) : undefined)));
  for (const [i, spec] of specs.entries()) if (!isService(spec)) await start(i);
  installDrain(started, logger);
  return started;
}

/** The one start-up path of a process running one app. */
export async function bootstrapApp<C extends BaseEnv>(spec: AppSpec<C>): Promise<void> {
  await runApps([spec]);
}

export interface ServiceAppSpec<C extends ServiceEnv> {
  name: ServiceName;
  config: z.ZodType<C, z.ZodTypeDef, unknown>;
  /** Its own schema, named after the service, on DATABASE_URL with DATABASE_POOL_SIZE connections. */
  database: Pick<ServiceDatabase, 'entities' | 'migrations'>;
  /** The service's own module (handlers, domain, persistence). */
  module: Type<unknown>;
}

/** A NATS service: its schema, its queue group, probes and /metrics on HEALTH_PORT, ready when database and NATS answer. */
export function serviceApp<C extends ServiceEnv>(spec: ServiceAppSpec<C>): AppSpec<C> {
  return {
    name: spec.name,
    config: spec.config,
    database: (config) => ({ ...spec.database, url: config.DATABASE_URL, schema: spec.name, poolSize: config.DATABASE_POOL_SIZE }),
    module: () => ({
      module: class ServiceRootModule {},
      imports: [spec.module],
      controllers: [healthPingController(spec.name), metricsController()],
      providers: [
        { provide: NatsBus, useFactory: (config: C) => new NatsBus({ connection: natsConnectOptions(config, spec.name), requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS }), inject: [CONFIG] },
        serviceChecks(spec.name),
      ],
      exports: [NatsBus],
      global: true,
    }),
    http: {
      setup: (app, ctx) => {
        app.useGlobalFilters(new ProbeErrorFilter(ctx.logger));
      },
    },
    nats: { connection: `${spec.name}-server`, queue: QUEUE[spec.name], logEach: true },
  };
}
