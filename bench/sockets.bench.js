/**
 * Sockets held by ONE realtime process (issue 26), measured black-box:
 *
 * - a realtime replica of its own on the bench stack (every limit raised), reached directly (no gateway);
 * - visitor sockets opened in steps (LEVELS) by client workers (child processes running bench/sockets-client.js, ≤ 10k sockets
 *   each): each speaks socket.io's own wire protocol (engine.io v4 over `ws`, no socket.io-client: one Node
 *   process holding 10k socket.io-client sockets would measure the client, not the server), with the SDK's
 *   reconnect loop (libs/sdk/src/core/realtime.ts: full-jitter backoff, 0.5–2 s while the server is away,
 *   0.5–15 s after a refusal such as 503 server_busy; the same token reused until it is refused);
 * - every socket is a session of its own: its realtime token is signed with the stack's REALTIME_TOKEN_SECRET
 *   by the same code the session service runs (RealtimeTokens.visitor), for made-up sessions of one real
 *   widget, so 20k sessions cost no 20k database rows; AGENT_VISITORS of them are real sessions with a
 *   conversation, started through the gateway;
 * - at each level: the realtime process's RSS (/proc) and heap (/metrics);
 * - with all open: agent → socket latency (admin POST of an operator message → `message.created` on the
 *   visitor's socket), p50/p99, twice: AGENT_SEQUENTIAL messages one at a time (the path itself, with every
 *   socket open), then AGENT_VISITORS messages at once per round, each agent on a connection of its own (a
 *   burst: it measures how fast the stack drains 20 operator messages as much as the socket); each phase with
 *   the POST's own answer time and the CPU per message by process;
 * - a reconnect storm: realtime killed (SIGKILL) and restarted on its port; every socket reconnects with the
 *   SDK's backoff. Reported: time from the restart's readiness (and from the kill) until all are connected,
 *   refusals by code, the longest handshake (socket opened → connected or refused).
 *
 * SOCKETS_BENCH_PROTOCOL=plain runs the same with the plain WebSocket codec (`?session_token=`, JSON text
 * frames, protocol pings; the handshake answered before the upgrade) instead of socket.io.
 *
 * The machine's hard limit of open files (`ulimit -Hn`) bounds the sockets one process can hold: the top
 * level is that limit less SOCKETS_FD_MARGIN (SOCKETS_BENCH_TOP overrides it).
 */
const { fork, execSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');
const { createTestWidget, startAnonymous, TEST_ORIGIN } = require('@widget/testing');
const { poster } = require('./http');
const { summarize } = require('./stats');
const { measureCpu, cpuMsOf } = require('./cpu');

const FD_MARGIN = Number(process.env.SOCKETS_FD_MARGIN ?? 400);
const PER_WORKER = 10_000;
const AGENT_VISITORS = 20;
const AGENT_MESSAGES = 10;
const AGENT_SEQUENTIAL = 200;
const epochMs = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** How long the sockets are held idle after the ramp, the RSS read every 5 s (SOCKETS_BENCH_HOLD_S; 0 skips it). */
const HOLD_SECONDS = Number(process.env.SOCKETS_BENCH_HOLD_S ?? 60);

/** The realtime process's RSS while nothing happens but the heartbeats: highest, lowest and last of the reads. */
async function holdIdle(app, seconds) {
  const reads = [];
  for (let t = 0; t < seconds; t += 5) {
    await sleep(5000);
    reads.push(rssOf(app.process.pid));
  }
  if (reads.length === 0) return null;
  return { seconds, rssMaxMb: mb(Math.max(...reads)), rssMinMb: mb(Math.min(...reads)), rssLastMb: mb(reads[reads.length - 1]), heapUsedMb: mb(await heapOf(app.url)) };
}

function topLevel() {
  if (process.env.SOCKETS_BENCH_TOP) return Number(process.env.SOCKETS_BENCH_TOP);
  let hard = 65_536;
  try {
    hard = Number(execSync('sh -c "ulimit -Hn"').toString().trim()) || hard;
  } catch {
    /* keep the default */
  }
  return Math.min(20_000, hard - FD_MARGIN);
}



class Worker {
  constructor() {
    this.child = fork(require.resolve('./sockets-client'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.pending = [];
    this.onGot = () => undefined;
    this.child.on('message', (msg) => {
      if ('got' in msg) return this.onGot(msg);
      this.pending.shift()?.(msg);
    });
  }
  ask(msg) {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.child.send(msg);
    });
  }
}

function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

/** Gauges of the realtime process's /metrics (prom-client's defaults), by name; null when unreadable. */
async function metricsOf(url, names) {
  const found = Object.fromEntries(names.map((n) => [n, null]));
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const name of names) {
      const value = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([\\d.e+-]+)`, 'm').exec(text);
      if (value) found[name] = Number(value[1]);
    }
  } catch {
    /* unreadable: nulls */
  }
  return found;
}

const heapOf = async (url) => (await metricsOf(url, ['nodejs_heap_size_used_bytes'])).nodejs_heap_size_used_bytes;

const mb = (bytes) => (bytes === null ? null : Math.round((bytes / 1048576) * 10) / 10);
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function statusOf(workers) {
  const all = await Promise.all(workers.map((w) => w.ask({ cmd: 'status' })));
  const refusals = {};
  for (const s of all) for (const [code, n] of Object.entries(s.refusals)) refusals[code] = (refusals[code] ?? 0) + n;
  return {
    connected: all.reduce((n, s) => n + s.connected, 0),
    total: all.reduce((n, s) => n + s.total, 0),
    refusals,
    maxWaitMs: Math.round(Math.max(...all.map((s) => s.maxWaitMs))),
    clientRss: all.reduce((n, s) => n + s.rss, 0),
  };
}

/** The restarted process's own handshake times (realtime_socket_event_duration_seconds, event="handshake"), by outcome. */
async function serverHandshakesOf(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const byOutcome = {};
  const line = /^realtime_socket_event_duration_seconds_(bucket|sum|count)\{([^}]*)\}\s+([\d.e+-]+)/gm;
  for (const [, kind, labels, value] of text.matchAll(line)) {
    const l = Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
    if (l.event !== 'handshake') continue;
    const o = (byOutcome[l.outcome] ??= { n: 0, meanMs: 0, within1s: 0, within2_5s: 0 });
    if (kind === 'count') o.n = Number(value);
    else if (kind === 'sum') o.meanMs = Number(value);
    else if (l.le === '1') o.within1s = Number(value);
    else if (l.le === '2.5') o.within2_5s = Number(value);
  }
  for (const o of Object.values(byOutcome)) o.meanMs = o.n ? Math.round((o.meanMs / o.n) * 1000) : null;
  return byOutcome;
}

async function loopDelayOf(url) {
  const m = await metricsOf(url, ['nodejs_eventloop_lag_p99_seconds', 'nodejs_eventloop_lag_max_seconds']);
  const ms = (s) => (s === null ? null : Math.round(s * 1000));
  return { p99: ms(m.nodejs_eventloop_lag_p99_seconds), max: ms(m.nodejs_eventloop_lag_max_seconds) };
}

/**
 * The storm's answered handshakes (admitted or refused; not the transport failures while realtime was down), and
 * the client workers' own event-loop delay. An attempt started before the restarted process said it was ready
 * may have waited in the kernel's listen queue while the process was still starting: those are apart.
 */
async function stormWaits(workers, readyAt) {
  const all = await Promise.all(workers.map((w) => w.ask({ cmd: 'waits' })));
  const attempts = all.flatMap((w) => w.waits);
  const afterReady = attempts.filter(([started]) => started >= readyAt);
  const after = afterReady.map(([, ms]) => ms);
  const before = attempts.filter(([started]) => started < readyAt).map(([, ms]) => ms);
  const phase = (i) => summarize(afterReady.map((a) => a[i]).filter((ms) => !Number.isNaN(ms)));
  const round = (ms) => Math.round(ms);
  return {
    answeredHandshakeMs: summarize(after),
    answeredOver2s: after.filter((ms) => ms > 2000).length,
    answeredBySecond: after.reduce((h, ms) => ((h[Math.floor(ms / 1000)] = (h[Math.floor(ms / 1000)] ?? 0) + 1), h), {}),
    startedBeforeReadyMs: summarize(before),
    // Where the answered waits went: TCP connected, the 101 received, engine.io's open packet received (ms after the attempt began).
    phasesMs: { tcp: phase(2), upgraded: phase(3), opened: phase(4) },
    clientLoopDelayMs: { p99: round(Math.max(...all.map((w) => w.loopDelayP99Ms))), max: round(Math.max(...all.map((w) => w.loopDelayMaxMs))) },
  };
}

async function waitAllConnected(workers, target, timeoutMs, onTick) {
  const started = Date.now();
  for (;;) {
    const status = await statusOf(workers);
    onTick?.(status);
    if (status.connected >= target) return { ...status, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) return { ...status, ms: null };
    await sleep(250);
  }
}

async function run({ stack, log }) {
  const top = topLevel();
  const levels = [...new Set([5000, 10_000, top].filter((n) => n <= top))];
  const realtime = await stack.spawn('realtime', { TRUST_PROXY: 'true', LOG_LEVEL: 'warn' });
  let app = realtime;
  const widget = await createTestWidget(stack);
  // One keep-alive connection per agent, as AGENT_VISITORS inbox tabs would hold (a burst does not queue in the client).
  const post = poster(stack.baseUrl, AGENT_VISITORS);
  const origin = TEST_ORIGIN;
  const workers = Array.from({ length: Math.ceil(top / PER_WORKER) }, () => new Worker());
  const secret = stack.env.REALTIME_TOKEN_SECRET;
  await Promise.all(workers.map((w) => w.ask({ cmd: 'config', url: realtime.url.replace('http', 'ws'), origin, secret, rampConcurrency: 100 })));
  const figures = { realtimeIdleRssMb: mb(rssOf(realtime.process.pid)), levels: [], loadBefore: load() };
  log(`realtime idle RSS ${figures.realtimeIdleRssMb} MB; levels ${levels.join(', ')}; load ${figures.loadBefore}`);

  // The real visitors: session, conversation, and their socket among the first ones.
  const agentVisitors = [];
  for (let i = 0; i < AGENT_VISITORS; i++) {
    const { token, sessionId } = await startAnonymous(widget);
    const headers = { authorization: `Bearer ${token}`, origin };
    const created = await post('/widget/v1/conversations', { subject: 'sockets bench' }, headers);
    if (created.status !== 201) throw new Error(`conversation create failed: ${created.status} ${created.text}`);
    const ctx = { sessionId, workspaceId: widget.workspaceId, widgetId: widget.widgetId, identityType: 'anonymous', userId: null, expiresAt: new Date(Date.now() + 86_400_000).toISOString() };
    agentVisitors.push({ conversationId: JSON.parse(created.text).id, ctx });
  }
  const madeUp = (i) => ({
    sessionId: `ses_bench${String(i).padStart(20, '0')}`,
    workspaceId: widget.workspaceId,
    widgetId: widget.widgetId,
    identityType: 'anonymous',
    userId: null,
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  });

  let opened = 0;
  for (const level of levels) {
    const started = Date.now();
    while (opened < level) {
      const w = workers[Math.floor(opened / PER_WORKER)];
      const upto = Math.min(level, (Math.floor(opened / PER_WORKER) + 1) * PER_WORKER);
      const items = [];
      for (let i = opened; i < upto; i++) items.push(i < AGENT_VISITORS ? { ctx: agentVisitors[i].ctx, watch: true } : { ctx: madeUp(i), watch: false });
      await w.ask({ cmd: 'open', items });
      opened = upto;
    }
    const status = await waitAllConnected(workers, level, 180_000);
    await sleep(3000); // let the allocations of the ramp settle before reading the RSS
    const rss = rssOf(realtime.process.pid);
    const row = { sockets: level, connected: status.connected, openedInMs: Date.now() - started - 3000, realtimeRssMb: mb(rss), realtimeHeapUsedMb: mb(await heapOf(realtime.url)), kbPerSocket: Math.round(((rss - figures.realtimeIdleRssMb * 1048576) / level / 1024) * 10) / 10, refusals: status.refusals, maxHandshakeMs: status.maxWaitMs, load: load() };
    figures.levels.push(row);
    log(JSON.stringify(row));
    if (status.connected < level) break;
    await Promise.all(workers.map((w) => w.ask({ cmd: 'reset' })));
  }

  // Held idle: the RSS a process keeps with every socket open (the 3 s figure above is before V8's next full collection).
  figures.hold = await holdIdle(realtime, HOLD_SECONDS);
  log(`held ${opened} idle for ${HOLD_SECONDS} s: ${JSON.stringify(figures.hold)}`);

  // Agent → socket with every socket open.
  const received = new Map();
  for (const w of workers) w.onGot = ({ got, at }) => received.get(got)?.(at);
  /** One operator message to visitor `v`: ms from the POST to `message.created` on its socket (NaN after 10 s); `answered` gets the POST's own ms. */
  const answered = [];
  const agentMessage = async (v, label) => {
    const text = `agent ${label} ${Math.random().toString(36).slice(2)}`;
    const got = new Promise((resolve) => {
      received.set(text, resolve);
      setTimeout(() => resolve(NaN), 10_000);
    });
    const t0 = epochMs();
    const res = await post(`/admin/v1/conversations/${v.conversationId}/messages`, { text, author: { id: 'agent_bench', name: 'Bench' } }, { authorization: `Bearer ${stack.adminKey}` });
    if (res.status !== 201) throw new Error(`agent send failed: ${res.status} ${res.text}`);
    answered.push(epochMs() - t0);
    const ms = (await got) - t0;
    received.delete(text);
    return ms;
  };
  const figuresOf = (samples) => ({ sockets: opened, ...summarize(samples.filter((s) => !Number.isNaN(s))), lost: samples.filter(Number.isNaN).length, load: load() });
  // CPU per operator message by process while a phase runs (the client workers, forked, counted apart).
  const workersCpu = () => workers.reduce((ms, w) => ms + cpuMsOf(w.child.pid), 0);
  const phase = async (run) => {
    const cpu = measureCpu(stack);
    const workersBefore = workersCpu();
    const samples = await run();
    const cpuMsPerMessage = { ...cpu.end(samples.length), clientWorkers: Math.round(((workersCpu() - workersBefore) / samples.length) * 100) / 100 };
    return { ...figuresOf(samples), postAnswered: summarize(answered.splice(0)), cpuMsPerMessage };
  };
  // One at a time first: the path itself with every socket open (it also runs each code path once before the bursts).
  figures.agentToSocketOneAtATime = await phase(async () => {
    const sequential = [];
    for (let i = 0; i < AGENT_SEQUENTIAL; i++) sequential.push(await agentMessage(agentVisitors[i % AGENT_VISITORS], `one ${i}`));
    return sequential;
  });
  log(`agent → socket with ${opened} open, one at a time: ${JSON.stringify(figures.agentToSocketOneAtATime)}`);
  figures.agentToSocket = await phase(async () => {
    const samples = [];
    for (let round = 0; round < AGENT_MESSAGES; round++) samples.push(...(await Promise.all(agentVisitors.map((v, i) => agentMessage(v, `${round} ${i}`)))));
    return samples;
  });
  log(`agent → socket with ${opened} open, ${AGENT_VISITORS} at once: ${JSON.stringify(figures.agentToSocket)}`);

  // The reconnect storm: SIGKILL, restart on the same port, everyone back on the SDK's loop.
  await Promise.all(workers.map((w) => w.ask({ cmd: 'reset' })));
  const killedAt = Date.now();
  await app.stop('SIGKILL');
  app = await app.restart();
  const readyAt = Date.now();
  let half = null;
  const storm = await waitAllConnected(workers, opened, 120_000, (s) => {
    if (half === null && s.connected >= opened / 2) half = Date.now() - readyAt;
  });
  figures.storm = {
    sockets: opened,
    restartMs: readyAt - killedAt,
    allConnectedAfterReadyMs: storm.ms === null ? null : storm.ms,
    halfConnectedAfterReadyMs: half,
    connected: storm.connected,
    refusals: storm.refusals,
    maxHandshakeMs: storm.maxWaitMs,
    ...(await stormWaits(workers, readyAt)),
    // prom-client's event-loop figures cover the time since the last scrape: here, the restarted process's whole storm.
    realtimeLoopDelayMs: await loopDelayOf(app.url),
    serverHandshakes: await serverHandshakesOf(app.url),
    realtimeRssAfterMb: mb(rssOf(app.process.pid)),
    load: load(),
  };
  log(`storm: ${JSON.stringify(figures.storm)}`);

  await Promise.all(workers.map((w) => w.ask({ cmd: 'stop' })));
  for (const w of workers) w.child.kill();
  await app.stop();
  return figures;
}


module.exports = { name: 'sockets', run };
