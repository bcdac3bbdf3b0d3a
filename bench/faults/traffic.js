/**
 * The steady traffic of `npm run faults`: visitors (an anonymous session, a conversation and a socket
 * each) sending messages one after another, and one agent replying through the admin API in turn to
 * every conversation. Each message keeps one clientMessageId across all its attempts; a network error,
 * a 5xx/429 without an envelope or an envelope with `recoverable: true` (but auth_expired, which the SDK
 * does not retry either) is tried again after 100–300 ms; any other refusal ends the message (a
 * counterexample). The sockets are the SDK's own RealtimeConnection (its reconnect loop, replay cursor
 * and de-duplication); every raw `message.created` is counted before the SDK drops repeats.
 */
const { randomUUID } = require('node:crypto');
const { io } = require('socket.io-client');
const { startAnonymous, TEST_ORIGIN } = require('@widget/testing');
const { SOCKET_EVENTS } = require('@widget/contracts/wire');

/** An attempt running longer than this is a hang (a counterexample); it is given up at HANG_ABORT_MS and retried. */
const HANG_MS = 20_000;
const HANG_ABORT_MS = 30_000;
const VISITOR_GAP_MS = 200;
const AGENT_GAP_MS = 250;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const retryDelay = () => 100 + Math.random() * 200;

/** What an answer means to the traffic: accepted, worth retrying, or a refusal the SDK would not retry. */
function classify(res) {
  if (res.status === 200 || res.status === 201) return { outcome: 'accepted' };
  let envelope;
  try {
    envelope = JSON.parse(res.text).error;
  } catch {
    envelope = undefined;
  }
  if (envelope?.code) {
    const recoverable = envelope.recoverable === true && envelope.code !== 'auth_expired';
    return { outcome: recoverable ? 'retry' : 'refused', code: envelope.code, reason: envelope.reason };
  }
  return { outcome: res.status >= 500 || res.status === 429 ? 'retry' : 'refused', code: `http_${res.status}` };
}

class Traffic {
  constructor({ post, baseUrl, clock, phaseAt }) {
    this.post = post;
    this.baseUrl = baseUrl;
    this.clock = clock;
    this.phaseAt = phaseAt;
    this.running = false;
    /** Every message by clientMessageId. */
    this.messages = new Map();
    this.visitors = [];
    this.loops = [];
    /** Socket events of a message id seen more than once on its owner's socket (before the SDK's de-duplication). */
    this.rawByMessageId = new Map();
    this.fatal = [];
  }

  async addVisitor(widget, sdk) {
    const { token } = await startAnonymous(widget);
    const headers = { authorization: `Bearer ${token}`, origin: TEST_ORIGIN };
    const created = await this.post('/widget/v1/conversations', { subject: 'fault run' }, headers);
    if (created.status !== 201) throw new Error(`conversation create failed: ${created.status} ${created.text}`);
    const conversationId = JSON.parse(created.text).id;
    const lane = { index: this.visitors.length, conversationId, headers, lastMessageId: null, connected: false };
    const connect = (uri, options) => {
      const socket = io(uri, { ...options, extraHeaders: { origin: TEST_ORIGIN } });
      socket.onAny((name, envelope) => this.onRawEvent(lane, name, envelope));
      return socket;
    };
    lane.realtime = new sdk.RealtimeConnection({
      apiBase: this.baseUrl,
      io: connect,
      token: async () => token,
      lastMessageId: () => lane.lastMessageId,
      onEvent: () => undefined,
      onState: (state) => (lane.connected = state === 'connected'),
      onFatal: (error) => this.fatal.push({ at: this.clock(), lane: lane.index, code: error.code, reason: error.reason }),
    });
    lane.realtime.start();
    this.visitors.push(lane);
    return lane;
  }

  onRawEvent(lane, name, envelope) {
    if (name !== SOCKET_EVENTS.messageCreated || envelope?.type !== SOCKET_EVENTS.messageCreated) return;
    const message = envelope.payload?.message;
    if (!message?.id) return;
    if (lane.lastMessageId === null || message.id > lane.lastMessageId) lane.lastMessageId = message.id;
    this.rawByMessageId.set(message.id, (this.rawByMessageId.get(message.id) ?? 0) + 1);
    const record = message.clientMessageId ? this.messages.get(message.clientMessageId) : undefined;
    if (!record || record.conversationId !== message.conversationId && message.conversationId !== undefined) return;
    if (record.lane !== lane.index) return;
    record.deliveredIds.add(message.id);
    record.deliveredAt ??= this.clock();
  }

  /** One message through to acceptance (or a refusal that ends it). */
  async sendOne(kind, lane, path, body, headers) {
    const record = {
      kind,
      lane: lane.index,
      conversationId: lane.conversationId,
      clientMessageId: body.clientMessageId,
      /** The phase its fate was decided in: that of its last attempt's answer. */
      phase: this.phaseAt(this.clock()),
      attempts: [],
      acceptedAt: null,
      acceptedId: null,
      refusal: null,
      deliveredIds: new Set(),
      deliveredAt: null,
    };
    this.messages.set(record.clientMessageId, record);
    for (;;) {
      const at = this.clock();
      let res;
      let timer;
      try {
        res = await Promise.race([
          this.post(path, body, headers),
          new Promise((resolve) => (timer = setTimeout(() => resolve({ status: 0, text: '', hang: true }), HANG_ABORT_MS))),
        ]);
      } catch (err) {
        res = { status: 0, text: '', network: err.code ?? err.message };
      } finally {
        clearTimeout(timer);
      }
      const ms = this.clock() - at;
      const verdict = res.network || res.hang ? { outcome: 'retry', code: res.hang ? 'hang' : `network_${res.network}` } : classify(res);
      const attempt = { at, ms, status: res.status, phase: this.phaseAt(at + ms), ...verdict };
      if (ms > HANG_MS) attempt.hang = true;
      record.attempts.push(attempt);
      if (verdict.outcome === 'accepted') {
        const parsed = JSON.parse(res.text);
        record.acceptedAt = this.clock();
        record.acceptedId = parsed.message?.id ?? parsed.id;
        record.phase = attempt.phase;
        return record;
      }
      if (verdict.outcome === 'refused') {
        record.refusal = { status: res.status, code: verdict.code, reason: verdict.reason, body: res.text.slice(0, 300) };
        record.phase = attempt.phase;
        return record;
      }
      if (!this.running && this.clock() > this.stoppedAt + 60_000) return record; // the stack never came back: left unaccepted
      await sleep(retryDelay());
    }
  }

  start(agentToken) {
    this.running = true;
    for (const lane of this.visitors) {
      this.loops.push(
        (async () => {
          for (let i = 0; this.running; i++) {
            const body = { text: `visitor ${lane.index} message ${i}`, clientMessageId: randomUUID() };
            await this.sendOne('visitor', lane, `/widget/v1/conversations/${lane.conversationId}/messages`, body, lane.headers);
            await sleep(VISITOR_GAP_MS);
          }
        })(),
      );
    }
    this.loops.push(
      (async () => {
        for (let i = 0; this.running; i++) {
          const lane = this.visitors[i % this.visitors.length];
          const clientMessageId = randomUUID();
          const headers = { authorization: `Bearer ${agentToken}`, 'idempotency-key': clientMessageId };
          await this.sendOne('agent', lane, `/admin/v1/conversations/${lane.conversationId}/messages`, { text: `agent reply ${i}`, clientMessageId }, headers);
          await sleep(AGENT_GAP_MS);
        }
      })(),
    );
  }

  /** Stops starting messages; resolves once every message under way has ended. */
  async stop() {
    this.running = false;
    this.stoppedAt = this.clock();
    await Promise.all(this.loops);
  }

  close() {
    for (const lane of this.visitors) lane.realtime.stop();
  }
}

module.exports = { Traffic, HANG_MS };
