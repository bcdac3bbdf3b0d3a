/**
 * Answer latency with the semantic default on (the built-in GloVe word
 * vectors, fused with the lexical ranking; issue 25) at 1,000 published
 * articles, end to end through the gateway, and the knowledge process's
 * resident memory. `npm run bench -- knowledge-answer`.
 *
 * The articles: the evaluation's 22-article help center, and 978 more made
 * of its sentences recombined with a seeded generator (English words, so
 * every article has a real vector and the lexical and semantic rankings
 * both work). The questions: the original evaluation set's (answerable and
 * unrelated), asked sequentially after a warm-up that loads the workspace's
 * vectors into the service's memory. Also the CPU time per answer of the
 * knowledge process and of its PostgreSQL backends (from /proc; load-proof,
 * where latency on a busy machine is not). docs/benchmarks.md has the figures.
 */
const { readFileSync } = require('node:fs');
const { createTestWidget, startAnonymous } = require('@widget/testing');
const { runConcurrent, now, rng } = require('./stats');
const { answerLatency } = require('./answer-latency');
const { corpus, loadCorpus } = require('../apps/knowledge/eval/load-corpus');
const questions = require('../apps/knowledge/eval/questions.json');

const ARTICLES = 1000;
const ANSWERS = 300;

/** What ranks the answers, from the EMBEDDINGS_* the bench was run with (bench/run.js passes them on). */
function mode() {
  if (process.env.EMBEDDINGS_BASE_URL) return `semantic from ${process.env.EMBEDDINGS_MODEL ?? 'the endpoint'}`;
  return process.env.EMBEDDINGS_LOCAL === 'off' ? 'lexical only (EMBEDDINGS_LOCAL=off)' : 'semantic default on';
}

/** CPU time (user + system) of a process so far, from /proc (Linux), in ms; null elsewhere. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return null;
  }
}

/**
 * CPU time of the PostgreSQL backends serving the stack's database (their pids from pg_stat_activity), in ms:
 * with cpuMs() of the knowledge process, what an answer costs whatever the machine's load (latency under
 * load measures the scheduler as much as the code).
 */
async function databaseCpuMs(databaseUrl) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    const times = rows.map((r) => cpuMs(r.pid));
    return times.some((t) => t === null) ? null : times.reduce((a, b) => a + b, 0);
  } finally {
    await client.end();
  }
}

/** Resident memory of a process, from /proc (Linux), in MB. */
function rssMb(pid) {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
    return Math.round(kb / 102.4) / 10;
  } catch {
    return null;
  }
}

async function run({ stack, log }) {
  const knowledge = stack.apps.find((a) => a.name === 'knowledge');
  const widget = await createTestWidget(stack);
  const admin = async (method, path, body) => {
    const res = await widget.admin.post(path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res.body;
  };
  const rssStart = rssMb(knowledge.process.pid);
  const { collections } = await loadCorpus(admin, widget.workspaceId);
  const sentences = corpus.flatMap((a) => a.body.replace(/<[^>]+>/g, ' ').split(/(?<=[.!?])\s+/).filter((s) => s.trim().length > 20));
  const titles = corpus.map((a) => a.title);
  const random = rng(25);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const extra = Array.from({ length: ARTICLES - corpus.length }, (_, i) => ({
    title: `${pick(titles)} (${i})`,
    body: `<p>${Array.from({ length: 4 + Math.floor(random() * 6) }, () => pick(sentences)).join(' ')}</p>`,
    collectionId: collections[pick(corpus).collection],
  }));
  const insert = await runConcurrent(8, extra.length, async (i) => {
    const res = await widget.admin.post(`/workspaces/${widget.workspaceId}/articles`, { ...extra[i], locale: 'en', status: 'published' });
    if (res.status !== 201) throw new Error(`article ${res.status} ${res.text}`);
  });
  log(`${ARTICLES} articles written (with their vectors) at ${insert.perSecond}/s`);

  const { token } = await startAnonymous(widget);
  const asked = [...questions.answerable.map((q) => q.q), ...questions.unrelated];
  const coldStart = now();
  await widget.api.post('/ai/answer', { question: asked[0] }, { token });
  const cold = Math.round((now() - coldStart) * 10) / 10;
  // Warm-up first (answerLatency's), then the CPU counters around the timed answers only.
  let cpu0 = null;
  const { answer, answered } = await answerLatency(widget, token, asked, {
    warmup: 19,
    count: ANSWERS,
    beforeTimed: async () => (cpu0 = { knowledge: cpuMs(knowledge.process.pid), database: await databaseCpuMs(stack.databaseUrl) }),
  });
  const cpu1 = { knowledge: cpuMs(knowledge.process.pid), database: await databaseCpuMs(stack.databaseUrl) };
  const perAnswer = (k) => (cpu0[k] === null || cpu1[k] === null ? null : Math.round(((cpu1[k] - cpu0[k]) / ANSWERS) * 100) / 100);
  const cpu = { knowledgeMsPerAnswer: perAnswer('knowledge'), databaseMsPerAnswer: perAnswer('database') };
  const rss = rssMb(knowledge.process.pid);
  log(`answers at ${ARTICLES} articles, ${mode()} (sequential, ${ANSWERS}): p50 ${answer.p50} ms, p95 ${answer.p95} ms, p99 ${answer.p99} ms; first (loads the vectors) ${cold} ms; answered ${answered}/${ANSWERS}`);
  log(`CPU per answer: knowledge process ${cpu.knowledgeMsPerAnswer} ms, its PostgreSQL backends ${cpu.databaseMsPerAnswer} ms`);
  log(`knowledge process RSS: ${rssStart} MB before the articles, ${rss} MB after the answers`);
  return { articles: ARTICLES, answer, cpu, coldAnswerMs: cold, knowledgeRssMb: { start: rssStart, end: rss } };
}

module.exports = { name: 'knowledge-answer', run };
