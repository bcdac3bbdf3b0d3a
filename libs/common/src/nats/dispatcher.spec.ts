import { Controller, INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DomainEvent, REQUEST_ID_HEADER, Rpc } from '@widget/contracts';
import { HARNESS_NATS_USER, natsPasswordVariable, PrivateNatsServer } from '@widget/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect, headers, JSONCodec, NatsConnection } from 'nats';
import { z } from 'zod';
import { AppError, Errors } from '../errors';
import { createLogger, currentRequestId } from '../logging';
import { Metrics } from '../metrics';
import { Handles, NatsDispatcher, OnEvent, startDispatcher } from './dispatcher';

/**
 * The dispatcher against a real nats-server: the wire Nest's NATS transport
 * spoke (NatsBus and processes of the previous release depend on it), the
 * request context, errors, schemas, metrics and draining.
 */
const codec = JSONCodec<Record<string, unknown>>();
const Echo: Rpc<{ text: string }, { text: string; requestId: string | null }> = { subject: 'spec.rpc.echo' };
const Refuse: Rpc<{ code: 'not_found' | 'boom' }, never> = { subject: 'spec.rpc.refuse' };
const Slow: Rpc<{ n: number }, { n: number }> = { subject: 'spec.rpc.slow' };
const Strict: Rpc<{ count: number }, { doubled: number }> = { subject: 'spec.rpc.strict' };
const Happened: DomainEvent<{ id: string }> = { subject: 'spec.evt.happened' };

/** What the event listeners heard, in order. */
const heard: Array<{ id: string; requestId: string | null; by: string }> = [];

@Controller()
class SpecHandlers {
  strictCalls = 0;

  @Handles(Echo)
  echo(req: { text: string }) {
    return { text: req.text, requestId: currentRequestId() ?? null };
  }

  @Handles(Refuse)
  async refuse(req: { code: 'not_found' | 'boom' }): Promise<never> {
    if (req.code === 'not_found') throw new AppError('conversation_not_found');
    throw new Error('a bug');
  }

  @Handles(Slow)
  async slow(req: { n: number }) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { n: req.n };
  }

  @Handles(Strict, { schema: z.object({ count: z.number().int() }) })
  strict(req: { count: number }) {
    this.strictCalls++;
    return { doubled: req.count * 2 };
  }

  @OnEvent(Happened)
  happened(event: { id: string }) {
    heard.push({ ...event, requestId: currentRequestId() ?? null, by: 'controller' });
  }
}

/** A second listener of the same event, in a provider: both run. */
@Injectable()
class OtherListener {
  @OnEvent(Happened)
  happened(event: { id: string }) {
    heard.push({ ...event, requestId: currentRequestId() ?? null, by: 'provider' });
  }
}

@Module({ controllers: [SpecHandlers], providers: [OtherListener] })
class SpecModule {}

describe('NATS dispatcher', () => {
  let nats: PrivateNatsServer;
  let client: NatsConnection;
  let app: INestApplicationContext;
  let dispatcher: NatsDispatcher;
  let closed = false;
  const lines: string[] = [];
  const metrics = new Metrics('spec', { defaultMetrics: false });
  const connection = () => ({
    servers: [nats.url],
    name: 'spec',
    user: HARNESS_NATS_USER,
    pass: nats.passwords[natsPasswordVariable(HARNESS_NATS_USER)],
    inboxPrefix: '_INBOX',
    ignoreAuthErrorAbort: true as const,
  });
  const request = async (subject: string, packet: unknown, requestId?: string) => {
    const h = headers();
    if (requestId) h.set(REQUEST_ID_HEADER, requestId);
    const reply = await client.request(subject, codec.encode(packet as Record<string, unknown>), { timeout: 5000, headers: h });
    return codec.decode(reply.data);
  };

  beforeAll(async () => {
    nats = await PrivateNatsServer.start({ prefix: '', dir: mkdtempSync(join(tmpdir(), 'dispatcher-spec-')), harness: true });
    client = await connect({ servers: nats.url, user: HARNESS_NATS_USER, pass: nats.passwords[natsPasswordVariable(HARNESS_NATS_USER)] });
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    app = await NestFactory.create(SpecModule, new FastifyAdapter(), { logger: false, abortOnError: false });
    dispatcher = await startDispatcher(app, { connection: connection(), queue: 'spec', logger: createLogger('spec', 'info', sink), metrics, logEach: true });
  }, 30_000);

  afterAll(async () => {
    if (dispatcher?.pending === 0 && !closed) await app?.close();
    await client?.close();
    await nats?.stop();
  });

  it('answers in the wire shape of Nest’s NATS transport, inside the request context of the x-request-id header', async () => {
    expect(dispatcher.subjects.sort()).toEqual([Echo, Happened, Refuse, Slow, Strict].map((r) => r.subject).sort());
    expect(await request(Echo.subject, { pattern: Echo.subject, data: { text: 'hi' }, id: 'r1' }, 'req_1')).toEqual({
      response: { text: 'hi', requestId: 'req_1' },
      isDisposed: true,
      id: 'r1',
    });
    expect(lines.some((line) => /"requestId":"req_1".*"subject":"spec.rpc.echo".*"msg":"handled"/.test(line))).toBe(true);
  });

  it('sends an AppError over the wire intact, and anything else as internal_error, logged', async () => {
    const refused = await request(Refuse.subject, { pattern: Refuse.subject, data: { code: 'not_found' }, id: 'r2' });
    expect(refused).toEqual({ err: new AppError('conversation_not_found').toWire(), isDisposed: true, id: 'r2' });
    const broken = await request(Refuse.subject, { pattern: Refuse.subject, data: { code: 'boom' }, id: 'r3' });
    expect(broken).toEqual({ err: Errors.internal().toWire(), isDisposed: true, id: 'r3' });
    expect(lines.some((line) => line.includes('unhandled error in NATS handler') && line.includes('a bug'))).toBe(true);
    expect(lines.some((line) => line.includes('"code":"conversation_not_found"') && line.includes('handled with error'))).toBe(true);
  });

  it('refuses a payload its schema rejects with validation_error, before the handler runs', async () => {
    const before = app.get(SpecHandlers).strictCalls;
    const refused = await request(Strict.subject, { pattern: Strict.subject, data: { count: 'many' }, id: 'r4' });
    expect(refused.err).toMatchObject({ code: 'validation_error', details: [{ field: 'count' }] });
    expect(app.get(SpecHandlers).strictCalls).toBe(before);
    expect((await request(Strict.subject, { pattern: Strict.subject, data: { count: 4 }, id: 'r5' })).response).toEqual({ doubled: 8 });
  });

  it('runs every listener of an event, answers nobody, and keeps its request id', async () => {
    const h = headers();
    h.set(REQUEST_ID_HEADER, 'req_evt');
    client.publish(Happened.subject, codec.encode({ pattern: Happened.subject, data: { id: 'e1' } }), { headers: h });
    await client.flush();
    for (let i = 0; i < 100 && heard.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(heard.sort((a, b) => a.by.localeCompare(b.by))).toEqual([
      { id: 'e1', requestId: 'req_evt', by: 'controller' },
      { id: 'e1', requestId: 'req_evt', by: 'provider' },
    ]);
  });

  it('times each message in nats_request_duration_seconds by subject and outcome', async () => {
    const text = await metrics.render();
    expect(text).toMatch(/nats_request_duration_seconds_count\{[^}]*subject="spec.rpc.echo"[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(text).toMatch(/nats_request_duration_seconds_count\{[^}]*subject="spec.rpc.refuse"[^}]*outcome="conversation_not_found"[^}]*\} 1/);
    expect(text).toMatch(/nats_request_duration_seconds_count\{[^}]*subject="spec.rpc.refuse"[^}]*outcome="internal_error"[^}]*\} 1/);
  });

  it('app.close() drains: requests already taken are answered, later ones find nobody', async () => {
    const inFlight = Array.from({ length: 10 }, (_, n) => request(Slow.subject, { pattern: Slow.subject, data: { n }, id: `s${n}` }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(dispatcher.pending).toBe(10);
    await app.close();
    closed = true;
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.response)).toEqual(Array.from({ length: 10 }, (_, n) => ({ n })));
    await expect(request(Echo.subject, { pattern: Echo.subject, data: { text: 'late' }, id: 'r9' })).rejects.toMatchObject({ code: '503' });
  });
});
