import { AppError, loadConfig } from '@widget/common';
import { SessionEvents } from '@widget/contracts';
import { newTestService, TestService } from '@widget/testing';
import { randomBytes } from 'node:crypto';
import { SessionConfig, sessionEnv } from '../src/config';
import { SessionsService } from '../src/domain/sessions.service';
import { WidgetsService } from '../src/domain/widgets.service';
import { SESSION_ENTITIES } from '../src/persistence/entities';
import { SESSION_MIGRATIONS } from '../src/persistence/migrations';
import { SessionModule } from '../src/session.module';

let svc: TestService<SessionConfig>;
let sessions: SessionsService;
let widget: { workspaceId: string; widgetId: string };

const reasonOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (e instanceof AppError ? e.reason : String(e)),
  );

beforeAll(async () => {
  svc = await newTestService({
    name: 'session',
    module: SessionModule,
    database: { schema: 'session', entities: SESSION_ENTITIES, migrations: SESSION_MIGRATIONS },
    config: (env) => loadConfig(sessionEnv, { ...env, REALTIME_TOKEN_SECRET: randomBytes(32).toString('base64'), SESSION_TTL_SECONDS: '3600' }),
  });
  sessions = svc.get(SessionsService);
  const widgets = svc.get(WidgetsService);
  const workspace = await widgets.createWorkspace('Service tier');
  const created = await widgets.createWidget(workspace.id, { name: 'Widget', allowedOrigins: ['https://shop.example'] } as never);
  widget = { workspaceId: workspace.id, widgetId: created.widget.id };
});

afterAll(() => svc?.close());

it('an anonymous session starts at the clock’s time with the test’s ids, expires a TTL later, and is announced', async () => {
  svc.clock.set('2026-05-01T08:00:00.000Z');
  const reply = await sessions.anonymous({ ...widget });
  expect(reply.created).toBe(true);
  expect(reply.session.id).toMatch(/^ses_/);
  expect(reply.expiresAt).toBe('2026-05-01T09:00:00.000Z');
  const [row] = await svc.query(`SELECT id, created_at FROM session.sessions WHERE id = $1`, [reply.session.id]);
  expect(new Date(row.created_at).toISOString()).toBe('2026-05-01T08:00:00.000Z');
  expect(svc.bus.emitted).toContainEqual({ subject: SessionEvents.started.subject, payload: expect.objectContaining({ sessionId: reply.session.id, at: '2026-05-01T08:00:00.000Z' }) });
});

it('a session used within its TTL slides forward; one left unused past it is auth_expired', async () => {
  svc.clock.set('2026-05-02T08:00:00.000Z');
  const used = await sessions.anonymous({ ...widget });
  const idle = await sessions.anonymous({ ...widget });
  svc.clock.advance(30 * 60_000);
  expect((await sessions.authenticate(used.token)).expiresAt).toBe('2026-05-02T09:30:00.000Z');
  svc.clock.advance(31 * 60_000);
  expect((await sessions.authenticate(used.token)).sessionId).toBe(used.session.id);
  expect(await reasonOf(sessions.authenticate(idle.token))).toBe('session_expired');
});

it('an unverified identify makes the user and a new session in one transaction, and revokes the anonymous one', async () => {
  svc.clock.set('2026-05-03T08:00:00.000Z');
  const widgets = svc.get(WidgetsService);
  await widgets.patch(widget.widgetId, { identity: { jwtRequiredForIdentifiedUsers: false, allowAnonymousToIdentifiedMerge: false } } as never);
  const anonymous = await sessions.anonymous({ ...widget });
  const current = await sessions.authenticate(anonymous.token);
  const identified = await sessions.identify(current, widget, { user: { id: 'shopper-1', email: 'a@shop.example' }, sessionToken: anonymous.token });
  expect(identified.session.identityType).toBe('identified');
  expect(identified.session.user).toMatchObject({ externalId: 'shopper-1', verified: false });
  expect(await reasonOf(sessions.authenticate(anonymous.token))).toBe('revoked');
  const [user] = await svc.query(`SELECT count(*)::int AS n FROM session.end_users WHERE external_id = 'shopper-1'`);
  expect(user.n).toBe(1);
});
