import { createTestWidget, openSocket, refusedHandshake, signIdentity, startAnonymous, testStack, TestWidget } from '@widget/testing';

const stack = testStack();

/** The envelope of SPEC §3, as err.data of the refused handshake. */
function expectEnvelope(err: Error & { data?: any }, code: string, reason?: string) {
  expect(err.data).toBeDefined();
  expect(err.data.error).toMatchObject({ code, ...(reason && { reason }) });
  expect(err.data.error.requestId).toMatch(/^req_[0-9A-Z]{26}$/);
  expect(typeof err.data.error.message).toBe('string');
  expect(typeof err.data.error.recoverable).toBe('boolean');
}

describe('realtime handshake (through the gateway public URL)', () => {
  let widget: TestWidget;

  beforeAll(async () => {
    widget = await createTestWidget(stack);
  });

  it('accepts a session token in auth.token', async () => {
    const { token } = await startAnonymous(widget);
    const socket = await openSocket(stack.baseUrl, { token });
    expect(socket.connected).toBe(true);
    socket.close();
  });

  it('accepts a realtime token, and a session token in the session_token query', async () => {
    const { token } = await startAnonymous(widget);
    const rt = await widget.api.post('/sessions/realtime-token', undefined, { token });
    expect(rt.status).toBe(200);
    const viaRealtimeToken = await openSocket(stack.baseUrl, { token: rt.body.token });
    viaRealtimeToken.close();
    const viaQuery = await openSocket(stack.baseUrl, { query: { session_token: token } });
    viaQuery.close();
  });

  it('refuses a handshake without a token: auth_required', async () => {
    expectEnvelope(await refusedHandshake(stack.baseUrl, {}), 'auth_required', 'missing_token');
    expectEnvelope(await refusedHandshake(stack.baseUrl, { token: '   ' }), 'auth_required', 'missing_token');
  });

  it('refuses a token of the wrong type or size: invalid_token malformed', async () => {
    expectEnvelope(await refusedHandshake(stack.baseUrl, { auth: { token: 42 } }), 'invalid_token', 'malformed');
    expectEnvelope(await refusedHandshake(stack.baseUrl, { token: 'x'.repeat(5000) }), 'invalid_token', 'malformed');
  });

  it('refuses an unknown or forged token: invalid_token', async () => {
    const forged = await refusedHandshake(stack.baseUrl, { token: 'wst_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expectEnvelope(forged, 'invalid_token', 'unknown_token');
    expect(forged.data.error.recoverable).toBe(false);
    expectEnvelope(await refusedHandshake(stack.baseUrl, { token: 'wrt_forged' }), 'invalid_token', 'unknown_token');
  });

  it('refuses a revoked session token (after shutdown): invalid_token revoked', async () => {
    const { token } = await startAnonymous(widget);
    expect((await widget.api.post('/sessions/shutdown', undefined, { token })).status).toBe(204);
    expectEnvelope(await refusedHandshake(stack.baseUrl, { token }), 'invalid_token', 'revoked');
  });

  it('refuses the anonymous token once the session is identified', async () => {
    const anon = await startAnonymous(widget);
    const res = await widget.api.post('/sessions/identify', { token: await signIdentity(widget) }, { token: anon.token });
    expect(res.status).toBe(200);
    expectEnvelope(await refusedHandshake(stack.baseUrl, { token: anon.token }), 'invalid_token', 'revoked');
    const identified = await openSocket(stack.baseUrl, { token: res.body.token });
    identified.close();
  });

  it('refuses an Origin that is not allow-listed, or none: invalid_origin', async () => {
    const { token } = await startAnonymous(widget);
    expectEnvelope(await refusedHandshake(stack.baseUrl, { token, origin: 'https://evil.example.net' }), 'invalid_origin', 'origin_not_allowed');
    expectEnvelope(await refusedHandshake(stack.baseUrl, { token, origin: null }), 'invalid_origin', 'origin_missing');
    // Allowed for another widget is not allowed for this one.
    const other = await createTestWidget(stack, { allowedOrigins: ['https://other.example.org'] });
    expectEnvelope(await refusedHandshake(stack.baseUrl, { token, origin: 'https://other.example.org' }), 'invalid_origin', 'origin_not_allowed');
    const otherSession = await startAnonymous({ ...other, api: new (widget.api.constructor as any)(`${stack.baseUrl}/widget/v1`, 'https://other.example.org') });
    expectEnvelope(await refusedHandshake(stack.baseUrl, { token: otherSession.token }), 'invalid_origin', 'origin_not_allowed');
  });

  it('refuses a malformed lastMessageId: validation_error', async () => {
    const { token } = await startAnonymous(widget);
    const err = await refusedHandshake(stack.baseUrl, { token, lastMessageId: 'not-a-message-id' });
    expectEnvelope(err, 'validation_error');
    expect(err.data.error.details).toEqual([expect.objectContaining({ field: 'auth.lastMessageId' })]);
  });

  it('refuses a disabled widget, and one whose conversations feature is off: widget_disabled', async () => {
    const disabled = await createTestWidget(stack);
    const s1 = await startAnonymous(disabled);
    expect((await disabled.admin.patch(`/widgets/${disabled.widgetId}`, { enabled: false })).status).toBe(200);
    expectEnvelope(await refusedHandshake(stack.baseUrl, { token: s1.token }), 'widget_disabled', 'widget_disabled');

    const noChat = await createTestWidget(stack);
    const s2 = await startAnonymous(noChat);
    expect((await noChat.admin.patch(`/widgets/${noChat.widgetId}`, { features: { conversations: false } })).status).toBe(200);
    expectEnvelope(await refusedHandshake(stack.baseUrl, { token: s2.token }), 'widget_disabled', 'feature_disabled');
  });

  it('answers transport errors on the realtime path with the envelope', async () => {
    const res = await fetch(`${stack.baseUrl}/widget/v1/realtime/?EIO=4&transport=carrier-pigeon`);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: 'validation_error', reason: 'transport_error' });
    expect(res.headers.get('x-request-id')).toBe(body.error.requestId);
  });

  it('serves its probes on the socket.io port', async () => {
    const realtimeUrl = (stack as { realtimeUrl?: string }).realtimeUrl as string;
    expect((await fetch(`${realtimeUrl}/health/live`)).status).toBe(200);
    const ready = await fetch(`${realtimeUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { nats: true, accepting: true } });
  });
});
