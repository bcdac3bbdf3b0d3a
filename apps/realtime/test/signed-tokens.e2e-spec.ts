import { RealtimeTokens } from '@widget/common';
import { SessionContext, SessionRpc } from '@widget/contracts';
import {
  createTestWidget,
  harnessNatsOptions,
  openSocket,
  recordNatsEvents,
  refusedHandshake,
  refusedPlainUpgrade,
  RunningApp,
  spawnApp,
  startAnonymous,
  testStack,
  TestWidget,
} from '@widget/testing';
import { randomBytes } from 'node:crypto';
import { connect, NatsConnection } from 'nats';

const stack = testStack();
jest.setTimeout(60_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function expectRefusal(err: Error & { data?: any }, code: string, reason: string) {
  expect(err.data?.error).toMatchObject({ code, reason, requestId: expect.stringMatching(/^req_/) });
}

/**
 * Issue 26: realtime tokens are signed by the session service (REALTIME_TOKEN_SECRET) and verified by the
 * realtime service itself: no token lookup crosses NATS, and a revocation it heard still refuses them.
 */
describe('signed realtime tokens', () => {
  let widget: TestWidget;
  let nc: NatsConnection;
  const secret = stack.env.REALTIME_TOKEN_SECRET;

  const realtimeToken = async (sessionToken: string) => {
    const res = await widget.api.post('/sessions/realtime-token', undefined, { token: sessionToken });
    expect(res.status).toBe(200);
    return res.body as { token: string; expiresAt: string };
  };
  const contextOf = (sessionId: string, w: TestWidget = widget): SessionContext => ({
    sessionId,
    workspaceId: w.workspaceId,
    widgetId: w.widgetId,
    identityType: 'anonymous',
    userId: null,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  });

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    nc = await connect(harnessNatsOptions(stack));
  });
  afterAll(async () => {
    await nc?.close();
  });

  it('keeps the reply shape, and a handshake with one asks the session service nothing', async () => {
    const { token: sessionToken } = await startAnonymous(widget);
    const minted = await realtimeToken(sessionToken);
    expect(Object.keys(minted).sort()).toEqual(['expiresAt', 'token']);
    expect(minted.token).toMatch(/^wrt_/);
    const lifetime = Date.parse(minted.expiresAt) - Date.now();
    expect(lifetime).toBeGreaterThan(0);
    expect(lifetime).toBeLessThanOrEqual(300_000);

    // Only this visitor's tokens: specs running beside this one look session tokens up on the same stack.
    const lookups = await recordNatsEvents<{ token?: string }>(nc, SessionRpc.authenticateRealtime.subject, (e) => e.token === minted.token || e.token === sessionToken);
    const socket = await openSocket(stack.baseUrl, { token: minted.token });
    expect(socket.connected).toBe(true);
    socket.close();
    await sleep(300);
    lookups.stop();
    expect(lookups.events).toEqual([]);
  });

  it('refuses a token signed with another key: invalid_token unknown_token, not recoverable', async () => {
    const { sessionId } = await startAnonymous(widget);
    const forged = await new RealtimeTokens(randomBytes(32).toString('base64')).visitor(contextOf(sessionId), 60);
    const err = await refusedHandshake(stack.baseUrl, { token: forged.token });
    expectRefusal(err, 'invalid_token', 'unknown_token');
    expect(err.data.error.recoverable).toBe(false);
    // A token whose signature was tampered with, or whose claims were edited, is the same.
    const [head, body, signature] = (await realtimeToken((await startAnonymous(widget)).token)).token.slice(4).split('.');
    const edited = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    edited.session.sessionId = sessionId;
    expectRefusal(await refusedHandshake(stack.baseUrl, { token: `wrt_${head}.${Buffer.from(JSON.stringify(edited)).toString('base64url')}.${signature}` }), 'invalid_token', 'unknown_token');
    expect((await refusedPlainUpgrade(stack.baseUrl, { token: forged.token })).body.error).toMatchObject({ code: 'invalid_token', reason: 'unknown_token' });
  });

  it('refuses an expired token: auth_expired realtime_token_expired (recoverable: the client asks for a new one)', async () => {
    const { sessionId } = await startAnonymous(widget);
    const expired = await new RealtimeTokens(secret).visitor(contextOf(sessionId), 10, Date.now() - 120_000);
    const err = await refusedHandshake(stack.baseUrl, { token: expired.token });
    expectRefusal(err, 'auth_expired', 'realtime_token_expired');
    expect(err.data.error.recoverable).toBe(true);
  });

  it('refuses a token under the other audience’s prefix: invalid_token wrong_audience', async () => {
    const minted = await realtimeToken((await startAnonymous(widget)).token);
    expectRefusal(await refusedHandshake(stack.baseUrl, { token: `wot_${minted.token.slice(4)}`, origin: null }), 'invalid_token', 'wrong_audience');
    const operator = await new RealtimeTokens(secret).operator(widget.workspaceId, { kind: 'root', id: null, name: null }, 60);
    expectRefusal(await refusedHandshake(stack.baseUrl, { token: `wrt_${operator.token.slice(4)}` }), 'invalid_token', 'wrong_audience');
  });

  it('refuses a token of one widget from an origin only another widget allows: invalid_origin', async () => {
    const other = await createTestWidget(stack, { allowedOrigins: ['https://other.example.org'] });
    const minted = await realtimeToken((await startAnonymous(widget)).token);
    expectRefusal(await refusedHandshake(stack.baseUrl, { token: minted.token, origin: 'https://other.example.org' }), 'invalid_origin', 'origin_not_allowed');
    // The widget is the one signed into the token, not one the client could name.
    const ofOther = await new RealtimeTokens(secret).visitor(contextOf((await startAnonymous(widget)).sessionId, other), 60);
    expectRefusal(await refusedHandshake(stack.baseUrl, { token: ofOther.token }), 'invalid_origin', 'origin_not_allowed');
  });

  it('refuses the unexpired token of a session revoked since (shutdown): invalid_token revoked, by either protocol', async () => {
    const { token: sessionToken } = await startAnonymous(widget);
    const minted = await realtimeToken(sessionToken);
    const before = await openSocket(stack.baseUrl, { token: minted.token });
    before.close();
    expect((await widget.api.post('/sessions/shutdown', undefined, { token: sessionToken })).status).toBe(204);
    expectRefusal(await refusedHandshake(stack.baseUrl, { token: minted.token }), 'invalid_token', 'revoked');
    const plain = await refusedPlainUpgrade(stack.baseUrl, { token: minted.token });
    expect(plain.status).toBe(401);
    expect(plain.body.error).toMatchObject({ code: 'invalid_token', reason: 'revoked' });
  });

  describe('key rotation', () => {
    let rotated: RunningApp;
    const next = randomBytes(32).toString('base64');
    beforeAll(async () => {
      // A replica already on the next key that still accepts the current one as REALTIME_TOKEN_SECRET_PREVIOUS.
      rotated = await spawnApp(stack, 'realtime', { REALTIME_TOKEN_SECRET: next, REALTIME_TOKEN_SECRET_PREVIOUS: secret, TRUST_PROXY: 'true' });
    });
    afterAll(async () => {
      await rotated?.stop();
    });

    it('accepts tokens of the new and the previous key, and no other', async () => {
      const { sessionId, token } = await startAnonymous(widget);
      const old = await realtimeToken(token);
      const fresh = await new RealtimeTokens(next).visitor(contextOf(sessionId), 60);
      for (const t of [old.token, fresh.token]) (await openSocket(rotated.url, { token: t })).close();
      const stranger = await new RealtimeTokens(randomBytes(32).toString('base64')).visitor(contextOf(sessionId), 60);
      expectRefusal(await refusedHandshake(rotated.url, { token: stranger.token }), 'invalid_token', 'unknown_token');
    });
  });
});
