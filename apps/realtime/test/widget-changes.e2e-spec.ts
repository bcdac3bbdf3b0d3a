import {
  createTestWidget,
  nextDisconnect,
  nextEvent,
  openPlainSocket,
  openSocket,
  PlainSocket,
  refusedPlainUpgrade,
  signIdentity,
  startAnonymous,
  testStack,
  TEST_ORIGIN,
  TestWidget,
} from '@widget/testing';
import type { Socket } from 'socket.io-client';

const stack = testStack();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SECOND_ORIGIN = 'https://other.example.com';

/**
 * Issue 13: open sockets follow their widget. A change that no longer allows a
 * socket ends it (socket.io: an `error` event with the envelope, then a server
 * disconnect; plain WebSocket: a last error frame, then close 4403).
 */
describe('sockets follow widget changes', () => {
  const plain: PlainSocket[] = [];
  const io: Socket[] = [];
  afterAll(() => {
    plain.forEach((s) => s.close());
    io.forEach((s) => s.close());
  });

  async function bothProtocols(widget: TestWidget, token: string, origin = TEST_ORIGIN) {
    const p = await openPlainSocket(stack.baseUrl, { token, origin });
    const s = await openSocket(stack.baseUrl, { token, origin });
    plain.push(p);
    io.push(s);
    return { plain: p, io: s };
  }

  /** Both sockets end with the error `code`/`reason`, each in its protocol's way. */
  async function expectEnded(sockets: { plain: PlainSocket; io: Socket }, change: () => Promise<unknown>, error: { code: string; reason?: string }) {
    const ioError = nextEvent(sockets.io, 'error');
    const ioGone = nextDisconnect(sockets.io);
    const plainClosed = sockets.plain.closed();
    await change();
    expect((await ioError).error).toMatchObject({ ...error, requestId: expect.stringMatching(/^req_/) });
    expect(await ioGone).toBe('io server disconnect');
    expect((await plainClosed).code).toBe(4403);
    expect(sockets.plain.frames[sockets.plain.frames.length - 1]).toMatchObject({ type: 'error', payload: { error } });
  }

  const patch = (widget: TestWidget, body: unknown) => async () => expect((await widget.admin.patch(`/widgets/${widget.widgetId}`, body)).status).toBe(200);

  it('disabling the widget ends its sockets, and only its sockets', async () => {
    const [widget, other] = [await createTestWidget(stack), await createTestWidget(stack)];
    const visitor = await startAnonymous(widget);
    const bystander = await startAnonymous(other);
    const bystanderSockets = await bothProtocols(other, bystander.token);
    await expectEnded(await bothProtocols(widget, visitor.token), patch(widget, { enabled: false }), { code: 'widget_disabled', reason: 'widget_disabled' });
    await sleep(200);
    expect(bystanderSockets.io.connected).toBe(true);
    expect(bystanderSockets.plain.ws.readyState).toBe(1);
    // And a new socket is refused the same way.
    expect((await refusedPlainUpgrade(stack.baseUrl, { token: visitor.token })).body.error).toMatchObject({ code: 'widget_disabled' });
  });

  it('switching the conversations feature off ends the sockets with feature_disabled', async () => {
    const widget = await createTestWidget(stack);
    const visitor = await startAnonymous(widget);
    await expectEnded(await bothProtocols(widget, visitor.token), patch(widget, { features: { conversations: false } }), { code: 'widget_disabled', reason: 'feature_disabled' });
  });

  it('removing an origin from allowedOrigins ends the sockets opened from it; the others stay', async () => {
    const widget = await createTestWidget(stack, { allowedOrigins: [TEST_ORIGIN, SECOND_ORIGIN] });
    const visitor = await startAnonymous(widget);
    const staying = await bothProtocols(widget, visitor.token, TEST_ORIGIN);
    const leaving = await bothProtocols(widget, visitor.token, SECOND_ORIGIN);
    await expectEnded(leaving, patch(widget, { allowedOrigins: [TEST_ORIGIN] }), { code: 'invalid_origin', reason: 'origin_not_allowed' });
    await sleep(200);
    expect(staying.io.connected).toBe(true);
    expect(staying.plain.ws.readyState).toBe(1);
  });

  it('turning anonymousAllowed off ends anonymous sockets (not identified ones) and refuses the anonymous session over HTTP', async () => {
    const widget = await createTestWidget(stack);
    const anonymous = await startAnonymous(widget);
    const toIdentify = await startAnonymous(widget);
    const identified = await widget.api.post('/sessions/identify', { token: await signIdentity(widget) }, { token: toIdentify.token });
    expect(identified.status).toBe(200);
    const identifiedSockets = await bothProtocols(widget, identified.body.token);
    await expectEnded(await bothProtocols(widget, anonymous.token), patch(widget, { identity: { anonymousAllowed: false } }), {
      code: 'widget_disabled',
      reason: 'anonymous_not_allowed',
    });
    await sleep(200);
    expect(identifiedSockets.io.connected).toBe(true);
    expect(identifiedSockets.plain.ws.readyState).toBe(1);

    // The anonymous session is refused on its next request, its refresh and its resume; the identified one works.
    for (const res of [
      await widget.api.get('/conversations', { token: anonymous.token }),
      await widget.api.post('/sessions/refresh', undefined, { token: anonymous.token }),
      await widget.api.post('/sessions/realtime-token', undefined, { token: anonymous.token }),
      await widget.api.post('/sessions/anonymous', { workspaceId: widget.workspaceId, widgetId: widget.widgetId }, { token: anonymous.token }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'widget_disabled', reason: 'anonymous_not_allowed' });
    }
    expect((await widget.api.get('/conversations', { token: identified.body.token })).status).toBe(200);
    expect((await refusedPlainUpgrade(stack.baseUrl, { token: anonymous.token })).body.error).toMatchObject({ reason: 'anonymous_not_allowed' });

    // Back on: the same anonymous session works again (nothing was revoked).
    await patch(widget, { identity: { anonymousAllowed: true } })();
    expect((await widget.api.get('/conversations', { token: anonymous.token })).status).toBe(200);
  });

  it('a change that still allows the socket leaves it connected', async () => {
    const widget = await createTestWidget(stack);
    const visitor = await startAnonymous(widget);
    const sockets = await bothProtocols(widget, visitor.token);
    await patch(widget, { name: 'Renamed', allowedOrigins: [TEST_ORIGIN, SECOND_ORIGIN] })();
    await sleep(300);
    expect(sockets.io.connected).toBe(true);
    expect(sockets.plain.ws.readyState).toBe(1);
  });
});
