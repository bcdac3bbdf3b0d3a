#!/usr/bin/env node
/**
 * `node bench/vectors.js` (N=1000 by default): answer latency with semantic
 * retrieval on, N published articles with 1,536-dimension vectors, through
 * the gateway. A local stand-in embeddings endpoint gives each text a
 * deterministic pseudo-random vector (latency only; it says nothing about
 * quality). The first answer loads the workspace's vectors into the
 * knowledge service's memory; the figures are the 50 answers after the
 * first 10. docs/knowledge.md, "Semantic retrieval", has the results.
 */
const { createServer } = require('node:http');
const { startStack, createTestWidget, startAnonymous } = require('@widget/testing');
const { summarize, now } = require('./stats');
const DIM = 1536;
function vec(text) { let h = 2166136261; for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0; const v = []; for (let i = 0; i < DIM; i++) { h = Math.imul(h ^ (h >>> 13), 1274126177) >>> 0; v.push(h / 2 ** 32 - 0.5); } return v; }
(async () => {
  const server = createServer((req, res) => { let raw = ''; req.on('data', (c) => (raw += c)); req.on('end', () => { const b = JSON.parse(raw); res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ data: b.input.map((t, index) => ({ index, embedding: vec(t) })) })); }); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const stack = await startStack({ services: ['session', 'knowledge'], realtime: false, env: { LOG_LEVEL: 'warn', TEST_LOG_LEVEL: 'warn', EMBEDDINGS_BASE_URL: `http://127.0.0.1:${server.address().port}/v1`, EMBEDDINGS_MODEL: 'bench' } });
  try {
    const widget = await createTestWidget(stack);
    const N = Number(process.env.N ?? 1000);
    let i = 0;
    await Promise.all(Array.from({ length: 8 }, async () => { while (i < N) { const k = i++; const r = await widget.admin.post(`/workspaces/${widget.workspaceId}/articles`, { title: `Article ${k} about topic ${k % 37}`, body: `<p>Body ${k} words lorem ipsum ${k % 11}.</p>`, status: 'published' }); if (r.status !== 201) throw new Error(r.text); } }));
    const { token } = await startAnonymous(widget);
    const ms = [];
    for (let q = 0; q < 60; q++) { const t = now(); const r = await widget.api.post('/ai/answer', { question: `question number ${q} about topic ${q % 37}` }, { token }); if (r.status !== 200) throw new Error(r.text); ms.push(now() - t); }
    console.log(`answers with ${N} vectors of ${DIM}:`, JSON.stringify(summarize(ms.slice(10))), 'first (cold):', ms[0].toFixed(1));
  } finally { await stack.stop(); server.close(); }
})();
