import {
  createTestWidget,
  ExtraReplica,
  metricSample as sample,
  nextEvent,
  openRecording,
  openSocket,
  scrapeMetrics as scrape,
  scrapeMetricsUntil as eventually,
  spawnRealtimeReplica,
  startAnonymous,
  testStack,
  TestWidget,
} from '@widget/testing';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';

const stack = testStack();

/**
 * /metrics of a realtime replica of its own (the shared one has other files'
 * sockets): socket gauge and counter, the histogram of the NATS events it
 * handles, and the timing of typing and replay.
 */
describe('realtime /metrics', () => {
  let replica: ExtraReplica;
  let widget: TestWidget;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    replica = await spawnRealtimeReplica(stack);
    widget = await createTestWidget(stack);
  }, 40_000);

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await replica?.stop();
  });

  it('serves Prometheus text with the service label, process metrics and the socket series at 0', async () => {
    const text = await scrape(replica.url);
    expect(sample(text, 'realtime_connected_sockets', { service: 'realtime' })).toBe(0);
    expect(sample(text, 'realtime_socket_connections_total', { service: 'realtime' })).toBe(0);
    expect(text).toContain('# TYPE nats_request_duration_seconds histogram');
    expect(sample(text, 'process_resident_memory_bytes', { service: 'realtime' })).toBeGreaterThan(0);
  });

  it('counts sockets up on connect and down on disconnect; times delivered events, typing and replay', async () => {
    const visitor = await startAnonymous(widget);
    const socket = await openSocket(replica.url, { token: visitor.token });
    sockets.push(socket);
    let text = await scrape(replica.url);
    expect(sample(text, 'realtime_connected_sockets')).toBe(1);
    expect(sample(text, 'realtime_socket_connections_total')).toBe(1);

    // A message through the gateway reaches this replica as a NATS event: one observation of its subject.
    const delivered = nextEvent(socket, 'message.created');
    const created = await widget.api.post('/conversations', { message: 'metrics', clientMessageId: randomUUID() }, { token: visitor.token });
    expect(created.status).toBe(201);
    const first = (await delivered).payload.message;
    text = await scrape(replica.url);
    expect(sample(text, 'nats_request_duration_seconds_count', { subject: 'evt.conversation.message.created', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(`subject="${stack.env.NATS_SUBJECT_PREFIX}`);

    expect(await socket.timeout(5000).emitWithAck('typing', { conversationId: created.body.id, typing: true })).toEqual({ ok: true });
    const refused = await socket.timeout(5000).emitWithAck('typing', { conversationId: 'nope', typing: true });
    expect(refused.error.code).toBe('validation_error');
    text = await scrape(replica.url);
    expect(sample(text, 'realtime_socket_event_duration_seconds_count', { event: 'typing', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'realtime_socket_event_duration_seconds_count', { event: 'typing', outcome: 'validation_error' })).toBe(1);

    // A second socket that asks for a replay.
    const next = nextEvent(socket, 'message.created', (e) => e.payload.message.text === 'second');
    expect((await widget.api.post(`/conversations/${created.body.id}/messages`, { text: 'second', clientMessageId: randomUUID() }, { token: visitor.token })).status).toBe(201);
    await next;
    const { socket: replaying, seen: replayed } = await openRecording(replica.url, 'message.created', { token: visitor.token, lastMessageId: first.id });
    sockets.push(replaying);
    const deadline = Date.now() + 10_000;
    while (!replayed.some((e) => e.payload.message.text === 'second') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(replayed.map((e) => e.payload.message.text)).toContain('second');
    text = await scrape(replica.url);
    expect(sample(text, 'realtime_connected_sockets')).toBe(2);
    expect(sample(text, 'realtime_socket_connections_total')).toBe(2);
    expect(sample(text, 'realtime_socket_event_duration_seconds_count', { event: 'replay', outcome: 'ok' })).toBe(1);
    // Each admitted handshake was timed (the checks of SPEC §10, cap to widget).
    expect(sample(text, 'realtime_socket_event_duration_seconds_count', { event: 'handshake', outcome: 'ok' })).toBe(2);

    replaying.close();
    text = await eventually(replica.url, 'realtime_connected_sockets', 1);
    expect(sample(text, 'realtime_connected_sockets')).toBe(1);
    socket.close();
    text = await eventually(replica.url, 'realtime_connected_sockets', 0);
    expect(sample(text, 'realtime_connected_sockets')).toBe(0);
    expect(sample(text, 'realtime_socket_connections_total')).toBe(2);
  });

  it('does not count a refused handshake', async () => {
    const before = sample(await scrape(replica.url), 'realtime_socket_connections_total');
    await expect(openSocket(replica.url, { token: 'not-a-token' })).rejects.toMatchObject({ data: { error: { code: 'invalid_token' } } });
    const text = await scrape(replica.url);
    expect(sample(text, 'realtime_socket_connections_total')).toBe(before);
    expect(sample(text, 'realtime_connected_sockets')).toBe(0);
    expect(sample(text, 'realtime_socket_event_duration_seconds_count', { event: 'handshake', outcome: 'invalid_token' })).toBe(1);
  });
});
