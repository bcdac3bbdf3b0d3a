import { natsInboxPrefix, REQUEST_ID_HEADER, Rpc } from '@widget/contracts';
import { HARNESS_NATS_USER, natsPasswordVariable, PrivateNatsServer } from '@widget/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, JSONCodec, NatsConnection } from 'nats';
import { AppError } from '../errors';
import { NatsBus } from './nats-bus';

/**
 * NatsBus's requests against a real nats-server: its own reply subscription
 * (a token per request) must answer each request with its own reply, fail
 * fast without a responder or a grant, and time out alone.
 */
const codec = JSONCodec<Record<string, unknown>>();
const Echo: Rpc<{ n: number }, { n: number; requestId: string | null }> = { subject: 'spec.bus.echo' };
const Refuse: Rpc<{ n: number }, never> = { subject: 'spec.bus.refuse' };
const Nobody: Rpc<{ n: number }, never> = { subject: 'spec.bus.nobody' };
const Late: Rpc<{ n: number }, { n: number }> = { subject: 'spec.bus.late' };

describe('NatsBus requests', () => {
  let nats: PrivateNatsServer;
  let responder: NatsConnection;
  const buses: NatsBus[] = [];

  const bus = async (principal: 'harness' | 'realtime' = 'harness', requestTimeoutMs = 5000) => {
    const user = principal === 'harness' ? HARNESS_NATS_USER : principal;
    const b = new NatsBus({
      connection: {
        servers: [nats.url],
        name: `bus-spec-${principal}`,
        user,
        pass: nats.passwords[natsPasswordVariable(user)],
        inboxPrefix: principal === 'harness' ? '_INBOX' : natsInboxPrefix(principal),
        ignoreAuthErrorAbort: true,
      },
      requestTimeoutMs,
    });
    await b.onModuleInit();
    buses.push(b);
    return b;
  };
  const failure = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);

  beforeAll(async () => {
    nats = await PrivateNatsServer.start({ prefix: '', dir: mkdtempSync(join(tmpdir(), 'nats-bus-spec-')), harness: true });
    responder = await connect({ servers: nats.url, user: HARNESS_NATS_USER, pass: nats.passwords[natsPasswordVariable(HARNESS_NATS_USER)] });
    responder.subscribe(Echo.subject, {
      callback: (_err, msg) => {
        const packet = codec.decode(msg.data) as { id: string; data: { n: number } };
        // Out of order on purpose: odd requests are answered later than even ones.
        const answer = () => msg.respond(codec.encode({ id: packet.id, response: { n: packet.data.n, requestId: msg.headers?.get(REQUEST_ID_HEADER) || null } }));
        if (packet.data.n % 2 === 1) setTimeout(answer, 5);
        else answer();
      },
    });
    responder.subscribe(Refuse.subject, {
      callback: (_err, msg) => {
        const packet = codec.decode(msg.data) as { id: string };
        msg.respond(codec.encode({ id: packet.id, err: new AppError('conversation_not_found').toWire() }));
      },
    });
    responder.subscribe(Late.subject, { callback: (_err, msg) => setTimeout(() => msg.respond(codec.encode({ response: { n: 1 } })), 400) });
    await responder.flush();
  }, 30_000);

  jest.setTimeout(30_000);

  afterAll(async () => {
    for (const b of buses) await b.onApplicationShutdown();
    await responder?.close();
    await nats?.stop();
  });

  it('answers every request with its own reply, many at once and out of order, with the request id', async () => {
    const b = await bus();
    const replies = await Promise.all(Array.from({ length: 200 }, (_, n) => b.send(Echo, { n }, { requestId: `req-${n}` })));
    expect(replies).toEqual(Array.from({ length: 200 }, (_, n) => ({ n, requestId: `req-${n}` })));
  });

  it("a service's refusal arrives as its AppError", async () => {
    const b = await bus();
    expect(await failure(b.send(Refuse, { n: 1 }))).toMatchObject({ code: 'conversation_not_found' });
  });

  it('no responder: upstream_unavailable at once, not after the time-out', async () => {
    const b = await bus('harness', 20_000);
    const started = Date.now();
    const err = await failure(b.send(Nobody, { n: 1 }));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'internal_error', reason: 'upstream_unavailable', status: 503 });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('times out alone: upstream_unavailable, the late reply dropped, the next request answered', async () => {
    const b = await bus('harness', 150);
    expect(await failure(b.send(Late, { n: 1 }))).toMatchObject({ code: 'internal_error', reason: 'upstream_unavailable' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await b.send(Echo, { n: 2 })).toEqual({ n: 2, requestId: null });
  });

  it("a subject outside the principal's grant fails at once as the server's refusal", async () => {
    const b = await bus('realtime', 20_000);
    const started = Date.now();
    expect(await failure(b.send(Echo, { n: 1 }))).toMatchObject({ code: 'PERMISSIONS_VIOLATION' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('after shutdown a request fails as unreachable', async () => {
    const b = await bus();
    await b.onApplicationShutdown();
    expect(await failure(b.send(Echo, { n: 1 }))).toMatchObject({ code: 'internal_error', reason: 'upstream_unavailable' });
  });
});
