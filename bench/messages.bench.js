/**
 * Message send through the whole stack with realtime delivery on:
 *   POST /widget/v1/conversations/:id/messages → gateway → NATS → conversation → PostgreSQL
 *   → outbox → NATS → realtime → socket.io (WebSocket through the gateway).
 * Throughput counts a send as done when both the 201 and the socket event are in;
 * latency runs from the POST's start to the `message.created` event on the sender's socket.
 * Beside each level, baselines measured in the same run on the same machine:
 * a single-row INSERT (autocommit: one INSERT + COMMIT) with `pg` at the same
 * concurrency, and a raw NATS request/reply round trip.
 */
const { poster } = require('./http');
const { randomBytes } = require('node:crypto');
const { Pool } = require('pg');
const { connect } = require('nats');
const { createTestWidget, harnessNatsOptions } = require('@widget/testing');
const { visitor } = require('./visitor');
const { summarize, runConcurrent, now } = require('./stats');
const { measureCpu } = require('./cpu');

// 50 visitors send 6,000 messages (about 4 s): at 1,500 the level lasted one second, part of it the first sends of
// 50 new visitors, and measured 10–20% below the same stack sending for 20 s (docs/benchmarks.md).
const LEVELS = [
  { visitors: 1, messages: 300 },
  { visitors: 10, messages: 800 },
  { visitors: 50, messages: 6000 },
];
/** Sends per visitor before a level is measured: each one's session, socket and caches past their first use. */
const WARMUP_PER_VISITOR = 5;
/** After a level's last send, the CPU is read this much later (EVENTS_LIFECYCLE_LINGER_MS is 100 ms). */
const SETTLE_MS = 500;
const WARMUP_PASS = 1500;

async function insertBaseline(databaseUrl, concurrency, total) {
  const pool = new Pool({ connectionString: databaseUrl, max: concurrency });
  const table = `bench_scratch_${randomBytes(4).toString('hex')}`;
  await pool.query(`CREATE TABLE public.${table} (id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
  try {
    await Promise.all(Array.from({ length: concurrency }, () => pool.query('SELECT 1')));
    const samples = [];
    const rate = await runConcurrent(concurrency, total, async (i) => {
      const t0 = now();
      await pool.query(`INSERT INTO public.${table} (body) VALUES ($1)`, [`bench message ${i}`]);
      samples.push(now() - t0);
    });
    return { perSecond: rate.perSecond, latencyMs: summarize(samples) };
  } finally {
    await pool.query(`DROP TABLE public.${table}`);
    await pool.end();
  }
}

async function natsBaseline(stack, concurrency, total) {
  // The stack's harness user: the echo subject is in no service's grant.
  const nc = await connect(harnessNatsOptions(stack));
  const subject = `bench.echo.${randomBytes(4).toString('hex')}`;
  const sub = nc.subscribe(subject, { callback: (_err, msg) => msg.respond(msg.data) });
  await nc.flush();
  const payload = Buffer.from(JSON.stringify({ text: 'bench message' }));
  try {
    const samples = [];
    const rate = await runConcurrent(concurrency, total, async () => {
      const t0 = now();
      await nc.request(subject, payload, { timeout: 5000 });
      samples.push(now() - t0);
    });
    return { perSecond: rate.perSecond, latencyMs: summarize(samples) };
  } finally {
    sub.unsubscribe();
    await nc.close();
  }
}

module.exports = {
  name: 'messages',
  async run({ stack, log }) {
    const widget = await createTestWidget(stack);
    // BENCH_REPLICAS=2: a second conversation and a second realtime replica beside the stack's (queue group
    // and broadcast as in production); the sockets straight to realtime alternate between the two.
    const replicas = Number(process.env.BENCH_REPLICAS ?? 1);
    const realtimeUrls = [stack.realtime.url];
    for (let r = 1; r < replicas; r++) {
      await stack.spawn('conversation');
      realtimeUrls.push((await stack.spawn('realtime', { TRUST_PROXY: 'true' })).url);
    }
    /** Sends at one concurrency level; the sockets connect to `socketUrls`, lane by lane in turn. */
    const measure = async (concurrency, total, socketUrls) => {
      const post = poster(stack.baseUrl, concurrency * 2);
      const urls = [socketUrls].flat();
      const lanes = [];
      for (let i = 0; i < concurrency; i++) lanes.push(await visitor(widget, post, urls[i % urls.length]));
      await runConcurrent(concurrency, concurrency * WARMUP_PER_VISITOR, (i, lane) => lanes[lane].send(i));
      const samples = [];
      const answered = [];
      const cpu = measureCpu(stack);
      const rate = await runConcurrent(concurrency, total, async (i, lane) => {
        const { http, e2e } = await lanes[lane].send(i);
        samples.push(e2e);
        answered.push(http);
      });
      // The work a send leaves behind (the event consumers' deliveries and acks after their linger, the outbox's
      // confirmation) is the send's too: without this wait it was counted in the next level instead.
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const cpuMsPerMessage = cpu.end(total);
      lanes.forEach((l) => l.socket.close());
      return { rate, samples, postAnsweredMs: summarize(answered), cpuMsPerMessage };
    };

    // Steady state, not start-up: every process's JIT and pools warmed by a first pass that is not counted
    // (without it the first level measured ~2 ms slower at the median than the same level run later).
    await measure(10, WARMUP_PASS, stack.baseUrl);

    const figures = {};
    for (const { visitors: concurrency, messages: total } of LEVELS) {
      // Sockets through the gateway's WebSocket proxy, as with docker compose.
      const { rate, samples, postAnsweredMs, cpuMsPerMessage } = await measure(concurrency, total, stack.baseUrl);

      const insert = await insertBaseline(stack.databaseUrl, concurrency, total);
      const nats = await natsBaseline(stack, concurrency, total);
      const level = {
        messages: total,
        sendPerSecond: rate.perSecond,
        endToEndMs: summarize(samples),
        // The 201 alone: the rest of endToEndMs is the event's way to the socket after it.
        postAnsweredMs,
        rawInsertPerSecond: insert.perSecond,
        rawInsertMs: insert.latencyMs,
        rawNatsRequestPerSecond: nats.perSecond,
        rawNatsRequestMs: nats.latencyMs,
        throughputVsInsert: Math.round((rate.perSecond / insert.perSecond) * 100) / 100,
        cpuMsPerMessage,
      };
      figures[`visitors_${concurrency}`] = level;
      log(JSON.stringify({ visitors: concurrency, ...level }));
    }
    // The Kubernetes Ingress routes the realtime path straight to the realtime service: the same sends
    // with the sockets there show what the gateway's proxy costs.
    for (const { visitors: concurrency, messages: total } of LEVELS) {
      const { rate, samples, cpuMsPerMessage } = await measure(concurrency, total, realtimeUrls);
      const level = { messages: total, sendPerSecond: rate.perSecond, endToEndMs: summarize(samples), cpuMsPerMessage };
      figures[`socketsDirect_visitors_${concurrency}`] = level;
      log(JSON.stringify({ visitors: concurrency, socketsDirectToRealtime: true, replicas, ...level }));
    }
    const at = (n) => figures[`visitors_${n}`];
    figures.targets = {
      throughput50VsInsertAtLeast025: at(50).throughputVsInsert >= 0.25,
      latency1P50AtMost5ms: at(1).endToEndMs.p50 <= 5,
      latency1P99AtMost15ms: at(1).endToEndMs.p99 <= 15,
      latency50P99AtMost100ms: at(50).endToEndMs.p99 <= 100,
    };
    const direct = (n) => figures[`socketsDirect_visitors_${n}`];
    figures.targetsSocketsDirect = {
      latency1P50AtMost5ms: direct(1).endToEndMs.p50 <= 5,
      latency1P99AtMost15ms: direct(1).endToEndMs.p99 <= 15,
      latency50P99AtMost100ms: direct(50).endToEndMs.p99 <= 100,
    };
    return figures;
  },
};
