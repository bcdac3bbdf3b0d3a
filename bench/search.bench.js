/**
 * Knowledge search and answer latency at 10,000 published articles, end to
 * end through the gateway (HTTP → NATS → knowledge → PostgreSQL).
 *
 * Articles are generated from a seeded Zipf-distributed vocabulary (so some
 * words are in most articles and most words in few, as in real text) and
 * inserted through the operator API with 16 requests in flight: the real
 * write path (sanitizing, generated tsvector, GIN index upkeep), just
 * concurrent. The help-center corpus of the evaluation is added so answer
 * questions have real answers.
 */
const { Client } = require('pg');
const { createTestWidget, startAnonymous } = require('@widget/testing');
const { summarize, runConcurrent, now, rng } = require('./stats');
const { answerLatency } = require('./answer-latency');
const { loadCorpus } = require('../apps/knowledge/eval/load-corpus');
const questions = require('../apps/knowledge/eval/questions.json');

const ARTICLES = 10_000;
const SEARCHES = 1000;
const ANSWERS = 300;

function vocabulary(size, random) {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'si', 'pe', 'da', 'gri', 'fel', 'mon', 'tar', 'zen', 'bar', 'lin', 'cor', 'pa', 'sho'];
  const words = new Set();
  while (words.size < size) {
    const n = 2 + Math.floor(random() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += syllables[Math.floor(random() * syllables.length)];
    words.add(w);
  }
  return [...words];
}

/** Zipf(1) sampler over ranks 0..n-1. */
function zipf(n, random) {
  const cdf = [];
  let sum = 0;
  for (let i = 1; i <= n; i++) cdf.push((sum += 1 / i));
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

async function run({ stack, log }) {
  const random = rng(42);
  const words = vocabulary(5000, random);
  const pick = zipf(words.length, random);
  const sentence = (n) => Array.from({ length: n }, () => words[pick()]).join(' ');

  const widget = await createTestWidget(stack);
  const admin = async (method, path, body) => {
    const res = await widget.admin.post(path, body);
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${res.text}`);
    return res.body;
  };
  await loadCorpus(admin, widget.workspaceId);

  const insert = await runConcurrent(16, ARTICLES, async () => {
    const paragraphs = Array.from({ length: 4 }, () => `<p>${sentence(12)}. ${sentence(14)}. ${sentence(10)}.</p>`).join('');
    await admin('POST', `/workspaces/${widget.workspaceId}/articles`, { title: sentence(5), body: paragraphs, status: 'published' });
  });
  log(`inserted ${ARTICLES} articles in ${insert.seconds.toFixed(1)} s (${insert.perSecond}/s)`);
  // What autovacuum does after a bulk load in any deployment; this machine's PostgreSQL runs with it off,
  // and without statistics the planner scans the whole workspace index on every search.
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  await db.query('ANALYZE knowledge.articles');
  await db.end();

  const { token } = await startAnonymous(widget);
  // Typical queries: one or two content words (frequency ranks 20..2000), the last one typed halfway.
  const query = (i) => {
    const r = rng(1000 + i);
    const w = () => words[20 + Math.floor(r() * 1980)];
    const last = w();
    const typed = last.slice(0, Math.max(3, Math.ceil(last.length * 0.7)));
    return r() < 0.5 ? typed : `${w()} ${typed}`;
  };
  for (let i = 0; i < 50; i++) await widget.api.get(`/articles/search?q=${encodeURIComponent(query(i))}`, { token });

  const searchMs = [];
  let hits = 0;
  for (let i = 0; i < SEARCHES; i++) {
    const t0 = now();
    const res = await widget.api.get(`/articles/search?q=${encodeURIComponent(query(i + 50))}&limit=10`, { token });
    searchMs.push(now() - t0);
    if (res.status !== 200) throw new Error(`search ${res.status} ${res.text}`);
    hits += res.body.data.length;
  }
  const search = summarize(searchMs);
  log(`search (sequential, ${SEARCHES}): p50 ${search.p50} ms, p95 ${search.p95} ms, p99 ${search.p99} ms; mean hits/page ${(hits / SEARCHES).toFixed(1)}`);

  // The worst case for ranking: a word present in most articles.
  const commonMs = [];
  for (let i = 0; i < 100; i++) {
    const t0 = now();
    await widget.api.get(`/articles/search?q=${encodeURIComponent(words[i % 3])}&limit=10`, { token });
    commonMs.push(now() - t0);
  }
  const common = summarize(commonMs);
  log(`search for the 3 most common words (match most articles): p50 ${common.p50} ms, p95 ${common.p95} ms`);

  const asked = [...questions.answerable.map((q) => q.q), ...questions.unrelated];
  const { answer, answered } = await answerLatency(widget, token, asked, { count: ANSWERS });
  log(`default answer (sequential, ${ANSWERS}): p50 ${answer.p50} ms, p95 ${answer.p95} ms, p99 ${answer.p99} ms; answered ${answered}/${ANSWERS}`);

  return { articles: ARTICLES + 22, insertPerSecond: insert.perSecond, search, searchCommonWord: common, answer };
}

module.exports = { name: 'knowledge-search', run };
