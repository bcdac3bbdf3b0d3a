import { Api, createTestWidget, RunningApp, signIdentity, spawnApp, startAnonymous, testStack, TestWidget, TEST_ORIGIN } from '@widget/testing';

const stack = testStack();

/**
 * Two gateway replicas, each with its own session cache: a shutdown or
 * identify answered by one replica must be refused at once by the other,
 * although the other had the session cached (docs/architecture.md).
 */
describe('revocation across two gateway replicas', () => {
  let widget: TestWidget;
  let second: RunningApp;
  let a: Api;
  let b: Api;

  beforeAll(async () => {
    widget = await createTestWidget(stack, { identity: { allowAnonymousToIdentifiedMerge: false } });
    second = await spawnApp(stack, 'gateway');
    a = widget.api;
    b = new Api(`${second.url}/widget/v1`, TEST_ORIGIN);
  });

  afterAll(async () => {
    await second.stop();
  });

  it('shutdown on replica A is refused on replica B immediately, every time', async () => {
    for (let i = 0; i < 15; i++) {
      const session = await startAnonymous(widget);
      // Warm both caches.
      expect((await b.post('/sessions/realtime-token', undefined, { token: session.token })).status).toBe(200);
      expect((await a.post('/sessions/realtime-token', undefined, { token: session.token })).status).toBe(200);

      expect((await a.post('/sessions/shutdown', undefined, { token: session.token })).status).toBe(204);
      const onB = await b.post('/sessions/realtime-token', undefined, { token: session.token });
      expect(onB.status).toBe(401);
      expect(onB.body.error).toMatchObject({ code: 'invalid_token', reason: 'revoked' });
      const onA = await a.post('/sessions/realtime-token', undefined, { token: session.token });
      expect(onA.status).toBe(401);
    }
  });

  it('identify on replica B revokes the anonymous token on replica A', async () => {
    const session = await startAnonymous(widget);
    expect((await a.post('/sessions/refresh', undefined, { token: session.token })).status).toBe(200);
    const identified = await b.post('/sessions/identify', { token: await signIdentity(widget) }, { token: session.token });
    expect(identified.status).toBe(200);
    const old = await a.post('/sessions/refresh', undefined, { token: session.token });
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe('invalid_token');
    expect((await a.post('/sessions/refresh', undefined, { token: identified.body.token })).status).toBe(200);
  });

  it('shutdown is idempotent for the caller: a second call is 401, never 500', async () => {
    const session = await startAnonymous(widget);
    expect((await b.post('/sessions/shutdown', undefined, { token: session.token })).status).toBe(204);
    expect((await a.post('/sessions/shutdown', undefined, { token: session.token })).status).toBe(401);
  });
});
