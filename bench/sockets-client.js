/**
 * The sockets bench's client worker (bench/sockets.bench.js forks it, ≤ 10k sockets each): it speaks
 * socket.io's own wire protocol (engine.io v4 over `ws`) or, with SOCKETS_BENCH_PROTOCOL=plain, the plain
 * WebSocket codec, with the SDK's reconnect loop, and answers the bench over IPC.
 */
const { performance, monitorEventLoopDelay } = require('node:perf_hooks');

/** The SDK's defaults (libs/sdk/src/core/realtime.ts). */
const BACKOFF = { refused: { baseMs: 500, maxMs: 15_000, floorMs: 200 }, away: { baseMs: 500, maxMs: 2000, floorMs: 200 } };
/** socket.io-client's `timeout` as the SDK sets it: an attempt without an answer by then is a failed transport. */
const CONNECT_TIMEOUT_MS = 10_000;
const MAX_TURN_MS = 60_000;
const REALTIME_PATH = '/widget/v1/realtime/';
const PLAIN = process.env.SOCKETS_BENCH_PROTOCOL === 'plain';
const epochMs = () => performance.timeOrigin + performance.now();

function backoffDelay(attempt, { baseMs, maxMs, floorMs }) {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  const floor = Math.min(floorMs, ceiling);
  return Math.round(floor + Math.random() * (ceiling - floor));
}

function worker() {
  const WebSocket = require('ws');
  const { RealtimeTokens } = require('@widget/common');
  let config;
  let tokens;
  const clients = [];
  const refusals = {};
  let maxWaitMs = 0;
  /** Each attempt the server answered (admitted or refused), transport failures apart: [started, waited, phases…]. */
  let waits = [];
  /** This worker's own event-loop delay: a wait above includes it (the client shares the 2 cores). */
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let inFlight = 0;
  let queue = [];

  const count = (code) => (refusals[code] = (refusals[code] ?? 0) + 1);

  async function mint(client) {
    client.token = (await tokens.visitor(client.ctx, 300)).token;
  }

  function schedule(client, why, retryAfterSeconds) {
    // As the SDK: once the server said server_busy, a failed transport waits the longer backoff too; a
    // server_busy with a retryAfter (the client's turn) comes back then.
    const backoff = why === 'away' && !client.overloaded ? BACKOFF.away : BACKOFF.refused;
    const waited = backoffDelay(client.attempt++, backoff);
    const delay = why === 'turn' ? Math.min(retryAfterSeconds * 1000, MAX_TURN_MS) : Math.max(waited, (retryAfterSeconds ?? 0) * 1000);
    client.timer = setTimeout(() => connect(client), delay);
  }

  /** Ramp-up opens at most `limit` at once; reconnects (the storm) are not held back: the SDK's loop alone paces them. */
  function pump() {
    while (queue.length > 0 && inFlight < config.rampConcurrency) connect(queue.shift());
  }

  function connect(client) {
    client.timer = null;
    inFlight++;
    const started = epochMs();
    /** When the TCP connection was up, the 101 came, and (socket.io) engine.io's open packet came: where a wait went. */
    const phases = { tcp: NaN, upgraded: NaN, opened: NaN };
    let answered = false;
    const timeout = setTimeout(() => ws.terminate(), CONNECT_TIMEOUT_MS);
    const answer = (transport = false) => {
      if (answered) return false;
      answered = true;
      clearTimeout(timeout);
      inFlight--;
      const waited = epochMs() - started;
      if (!transport) waits.push([started, waited, phases.tcp - started, phases.upgraded - started, phases.opened - started]);
      if (waited > maxWaitMs) maxWaitMs = waited;
      setImmediate(pump);
      return true;
    };
    const url = PLAIN ? `${config.url}${REALTIME_PATH.slice(0, -1)}?session_token=${client.token}` : `${config.url}${REALTIME_PATH}?EIO=4&transport=websocket`;
    const ws = new WebSocket(url, { perMessageDeflate: false, origin: config.origin });
    ws.once('upgrade', () => (phases.upgraded = epochMs()));
    ws._req?.once('socket', (socket) => socket.once('connect', () => (phases.tcp = epochMs())));
    client.ws = ws;
    if (PLAIN) {
      ws.on('open', () => {
        if (answer()) {
          client.connected = true;
          client.attempt = 0;
          client.overloaded = false;
        }
      });
      ws.on('message', (data) => {
        if (!client.watch) return;
        const frame = JSON.parse(data.toString());
        if (frame.type === 'message.created') process.send({ got: frame.payload?.message?.text, at: epochMs() });
      });
    } else ws.on('message', (data) => {
      const text = data.toString();
      const type = text[0];
      if (type === '2') return ws.send('3');
      if (type === '0') phases.opened = epochMs();
      if (type === '0') return ws.send(`40${JSON.stringify({ token: client.token })}`);
      if (text.startsWith('40')) {
        if (answer()) {
          client.connected = true;
          client.attempt = 0;
          client.overloaded = false;
        }
        return;
      }
      if (text.startsWith('44')) {
        answer();
        const error = JSON.parse(text.slice(2)).data?.error ?? {};
        count(`${error.code}/${error.reason}`);
        client.refused = true;
        if (error.reason === 'server_busy') client.overloaded = true;
        if (error.reason === 'server_busy' && typeof error.retryAfter === 'number') client.turn = error.retryAfter;
        if (error.code === 'auth_expired' || error.code === 'invalid_token') client.stale = true;
        ws.terminate();
        return;
      }
      if (client.watch && text.startsWith('42')) {
        const [name, event] = JSON.parse(text.slice(2));
        if (name === 'message.created') process.send({ got: event.payload?.message?.text, at: epochMs() });
      }
    });
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (req, res) => {
      // The plain codec's refusal is the HTTP answer with the envelope (socket.io's come as 44 packets).
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        let error = {};
        try {
          error = JSON.parse(body).error ?? {};
        } catch {
          /* not an envelope */
        }
        answer();
        count(error.code ? `${error.code}/${error.reason}` : `http_${res.statusCode}`);
        if (error.code === 'auth_expired' || error.code === 'invalid_token') client.stale = true;
        if (error.code) client.refused = true;
        if (error.reason === 'server_busy') client.overloaded = true;
        req.destroy();
        ws.emit('close');
      });
    });
    let closed = false;
    ws.on('close', () => {
      if (closed) return;
      closed = true;
      const refused = client.refused;
      const turn = client.turn;
      client.connected = false;
      client.refused = false;
      client.turn = undefined;
      client.ws = null;
      if (!answered) {
        answer(true);
        count('transport');
      }
      if (client.stopped) return;
      if (client.stale) {
        client.stale = false;
        void mint(client).then(() => schedule(client, 'refused'));
        return;
      }
      if (turn !== undefined) schedule(client, 'turn', turn);
      else schedule(client, refused ? 'refused' : 'away');
    });
  }

  process.on('message', async (msg) => {
    if (msg.cmd === 'config') {
      config = msg;
      tokens = new RealtimeTokens(msg.secret);
      process.send({ ok: true });
    } else if (msg.cmd === 'open') {
      const fresh = [];
      for (const item of msg.items) {
        const client = { ctx: item.ctx, watch: item.watch, token: null, ws: null, connected: false, attempt: 0, timer: null };
        await mint(client);
        clients.push(client);
        fresh.push(client);
      }
      queue.push(...fresh);
      pump();
      process.send({ ok: true });
    } else if (msg.cmd === 'status') {
      const connected = clients.filter((c) => c.connected).length;
      process.send({ connected, total: clients.length, refusals: { ...refusals }, maxWaitMs, rss: process.memoryUsage().rss });
    } else if (msg.cmd === 'reset') {
      for (const key of Object.keys(refusals)) delete refusals[key];
      maxWaitMs = 0;
      waits = [];
      loopDelay.reset();
      process.send({ ok: true });
    } else if (msg.cmd === 'waits') {
      process.send({ waits, loopDelayMaxMs: loopDelay.max / 1e6, loopDelayP99Ms: loopDelay.percentile(99) / 1e6 });
    } else if (msg.cmd === 'stop') {
      for (const client of clients) {
        client.stopped = true;
        clearTimeout(client.timer);
        client.ws?.terminate();
      }
      queue = [];
      process.send({ ok: true });
    }
  });
}

worker();
