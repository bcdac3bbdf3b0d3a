import { DynamicModule, INestApplicationContext, Module, Provider, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Clock, CONFIG, createLogger, dataSourceOptions, Ids, LOGGER, Metrics, NatsBus, Readiness, runMigrations, Scheduler, ServiceDatabase } from '@widget/common';
import { ID_PREFIX, IdKind } from '@widget/contracts';
import { randomBytes } from 'node:crypto';
import { createDatabase } from './db';
import { DataSource } from 'typeorm';

/** A clock a service test holds still and moves by hand. */
export class TestClock extends Clock {
  constructor(private at = new Date('2026-01-01T09:00:00.000Z')) {
    super();
  }

  now(): Date {
    return new Date(this.at.getTime());
  }

  set(at: Date | string): void {
    this.at = new Date(at);
  }

  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function crockford(n: bigint, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[Number(n % 32n)] + out;
    n /= 32n;
  }
  return out;
}

/**
 * Deterministic ids in the shape of the real ones (SPEC §2: a prefix, then a
 * ulid): the test clock's milliseconds, then a counter, so they sort by the
 * clock and then by creation, and a run gives the same ids every time.
 */
export class TestIds extends Ids {
  private seq = 0n;

  constructor(private readonly clock: Clock) {
    super();
  }

  newId(kind: IdKind): string {
    this.seq += 1n;
    return `${ID_PREFIX[kind]}_${crockford(BigInt(this.clock.now().getTime()), 10)}${crockford(this.seq, 16)}`;
  }
}

/** Answers for the NATS requests a service makes of others, by subject; `emit`s are recorded. */
export class FakeBus {
  readonly emitted: { subject: string; payload: unknown }[] = [];
  readonly sent: { subject: string; request: unknown }[] = [];
  private readonly replies = new Map<string, (request: unknown) => unknown>();

  answer(route: { subject: string }, reply: (request: any) => unknown): void {
    this.replies.set(route.subject, reply);
  }

  async send(route: { subject: string }, request: unknown): Promise<any> {
    this.sent.push({ subject: route.subject, request });
    const reply = this.replies.get(route.subject);
    if (!reply) throw new Error(`no other service in a service test: nothing answers ${route.subject}`);
    return reply(request);
  }

  async emit(evt: { subject: string }, payload: unknown): Promise<void> {
    this.emitted.push({ subject: evt.subject, payload });
  }

  get connected(): boolean {
    return true;
  }

  onReconnect(): void {}
}

export interface TestServiceOptions<C> {
  name: string;
  /** The service's own module: its providers (and these overrides), without its handlers. */
  module: Type<unknown>;
  database: Omit<ServiceDatabase, 'url'>;
  /** Builds the service's config from the test's environment (DATABASE_URL set to the fresh database). */
  config: (env: Record<string, string>) => C;
  /** Providers of the module replaced by token (a recording relay for the outbox, say). */
  overrides?: Provider[];
}

export interface TestService<C> {
  app: INestApplicationContext;
  clock: TestClock;
  ids: TestIds;
  bus: FakeBus;
  config: C;
  databaseUrl: string;
  get<T>(token: Type<T> | string | symbol): T;
  /** Rows of the service's database (what a spec checks beside the service's answers). */
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const tokenOf = (p: Provider): unknown => (typeof p === 'function' ? p : (p as { provide: unknown }).provide);

/** `module` again with some providers replaced by token (what @nestjs/testing's overrideProvider does); no handlers. */
function overridden(module: Type<unknown>, overrides: Provider[]): Type<unknown> {
  const byToken = new Map(overrides.map((p) => [tokenOf(p), p]));
  const providers: Provider[] = (Reflect.getMetadata('providers', module) ?? []).map((p: Provider) => byToken.get(tokenOf(p)) ?? p);
  const present = new Set(providers.map(tokenOf));
  for (const p of overrides) if (!present.has(tokenOf(p))) providers.push(p);
  @Module({ imports: Reflect.getMetadata('imports', module) ?? [], providers, exports: providers.map(tokenOf) as never[] })
  class ServiceUnderTest {}
  return ServiceUnderTest;
}


/**
 * The service test tier (a "medium" test, as immich calls them): one
 * service's Nest module on a real PostgreSQL database of its own (created
 * fresh, the service's migrations run), with a TestClock and deterministic
 * TestIds in place of the system's, and no gateway, NATS or other process: a
 * FakeBus answers what the service asks of others (and records its emits),
 * and the caller overrides what would publish (the conversation service's
 * outbox relay: a recording one). Domain services are called directly.
 */
export async function newTestService<C>(options: TestServiceOptions<C>): Promise<TestService<C>> {
  const database = `widget_svc_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const { databaseUrl, drop } = await createDatabase(database);
  const db: ServiceDatabase = { ...options.database, url: databaseUrl, poolSize: options.database.poolSize ?? 4 };

  try {
    await runMigrations(db);
    const config = options.config({
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    const clock = new TestClock();
    const ids = new TestIds(clock);
    const bus = new FakeBus();
    const core: DynamicModule = {
      module: class TestCoreModule {},
      global: true,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: NatsBus, useValue: bus },
        { provide: Metrics, useValue: new Metrics(options.name, { defaultMetrics: false }) },
        { provide: LOGGER, useValue: createLogger(options.name, process.env.TEST_LOG_LEVEL ?? 'silent') },
        { provide: Readiness, useValue: new Readiness(options.name) },
        Scheduler,
      ],
      exports: [CONFIG, NatsBus, Metrics, LOGGER, Readiness, Scheduler],
    };
    const module = overridden(options.module, [{ provide: Clock, useValue: clock }, { provide: Ids, useValue: ids }, ...(options.overrides ?? [])]);
    @Module({ imports: [core, TypeOrmModule.forRoot(dataSourceOptions(db)), module] })
    class TestRoot {}
    const app = await NestFactory.createApplicationContext(TestRoot, { logger: false, abortOnError: false });
    const dataSource = app.get(DataSource);
    return {
      app,
      clock,
      ids,
      bus,
      config,
      databaseUrl,
      get: (token) => app.get(token as never, { strict: false }),
      query: async (sql, params = []) => dataSource.query(sql, params),
      close: async () => {
        await app.close();
        await drop();
      },
    };
  } catch (err) {
    await drop().catch(() => undefined);
    throw err;
  }
}
