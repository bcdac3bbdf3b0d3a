/**
 * Sequential answer latency for the knowledge benches: `warmup` answers not
 * counted, then `count` timed ones, cycling through `asked`.
 */
const { summarize, now } = require('./stats');

async function answerLatency(widget, token, asked, { warmup = 20, count, beforeTimed = null }) {
  for (let i = 0; i < warmup; i++) await widget.api.post('/ai/answer', { question: asked[i % asked.length] }, { token });
  await beforeTimed?.();
  const ms = [];
  let answered = 0;
  for (let i = 0; i < count; i++) {
    const t0 = now();
    const res = await widget.api.post('/ai/answer', { question: asked[i % asked.length] }, { token });
    ms.push(now() - t0);
    if (res.status !== 200) throw new Error(`answer ${res.status} ${res.text}`);
    if (res.body.answer) answered++;
  }
  return { answer: summarize(ms), answered };
}

module.exports = { answerLatency };
