// One benchmark visitor (session, conversation, socket), shared by the message and retention benches.
const { randomUUID } = require('node:crypto');
const { startAnonymous, openSocket } = require('@widget/testing');
const { now } = require('./stats');

/**
 * One visitor: session, conversation, socket. send() → { t, http, e2e } (ms); expect(key) → the time the socket
 * got the `message.created` whose clientMessageId (or, for an operator's reply, text) is `key`, NaN after 10 s.
 */
async function visitor(widget, post, socketUrl) {
  const { token } = await startAnonymous(widget);
  const headers = { authorization: `Bearer ${token}`, origin: widget.api.defaultOrigin };
  const created = await post('/widget/v1/conversations', { subject: 'bench' }, headers);
  if (created.status !== 201) throw new Error(`conversation create failed: ${created.status} ${created.text}`);
  const conversationId = JSON.parse(created.text).id;
  const socket = await openSocket(socketUrl, { token });
  const waiting = new Map();
  socket.on('message.created', (event) => {
    const m = event.payload.message;
    const done = waiting.get(m.clientMessageId ?? m.text);
    if (done) done(now());
  });
  const expect = (key) => {
    let timer;
    const promise = new Promise((resolve) => {
      waiting.set(key, resolve);
      timer = setTimeout(() => resolve(NaN), 10_000);
    }).finally(() => {
      clearTimeout(timer);
      waiting.delete(key);
    });
    return promise;
  };
  return {
    socket,
    conversationId,
    async send(i) {
      const clientMessageId = randomUUID();
      const delivered = expect(clientMessageId);
      const started = now();
      const res = await post(`/widget/v1/conversations/${conversationId}/messages`, { text: `bench message ${i}`, clientMessageId }, headers);
      const replied = now();
      if (res.status !== 201) throw new Error(`send failed: ${res.status} ${res.text}`);
      const at = await delivered;
      if (Number.isNaN(at)) throw new Error('socket event not received within 10 s');
      return { t: started, http: replied - started, e2e: at - started };
    },
    expect,
  };
}

module.exports = { visitor };
