#!/usr/bin/env node
/**
 * `npm run eval -w @widget/knowledge`: boots a real stack (session + knowledge
 * + gateway), loads the help-center corpus and asks every question of both
 * sets through POST /widget/v1/ai/answer (answer_first, default minConfidence):
 *   questions.json         written next to the articles; tuned on
 *   questions-dev.json     written from the article titles only, visitor style; tuned on
 *   questions-near.json    written from the titles only: 22 visitor-style questions and 45 unrelated ones,
 *                          most near the domain (other companies' accounts, features no article covers); tuned on
 *   questions-train.json   written from the titles only by a helper (132 visitor-style questions, 50 unrelated,
 *                          35 of them near the domain); the largest set, tuned on
 *   questions-unseen.json  written blind, from the article titles only; measured, never tuned on:
 *                          only its aggregate figures are ever printed (never a question or a miss)
 *   questions-blind.json   a second blind set (66 + 20), written from the titles only by a helper and sealed:
 *                          never read, never tuned on, only its aggregate figures printed
 * Reports, per set:
 *   hit@1  the answerer's top article (its citation, else its first suggestion) is the expected one
 *   hit@3  the expected article is among the top three (citation + suggestions)
 *   answered correctly  an answer was given and cites the expected article
 *   correct declines    unrelated questions answered with answer: null
 * `--verbose` lists every answerable question, not only the misses (not for the unseen set);
 * `--set=original,dev,near,train` runs those sets only (any of original|dev|near|train|unseen|blind);
 * `--quiet` prints the figures only;
 * `--profile=<file or JSON>` runs with those retrieval-profile overrides (RETRIEVAL_PROFILE, src/domain/retrieval/profile.ts);
 * `--sweep=section.key=v1,v2,…` one run per value, every set printed per value (sealed ones as aggregates only);
 * EMBEDDINGS_LOCAL=off in the environment: lexical only (the default fuses the built-in word vectors);
 * `--questions=<file>` runs that file instead.
 * `--min-confidence=<x>` sets the widget's decline threshold (default 0.35).
 * `--embeddings=local` turns semantic retrieval on with a local sentence encoder (local-embeddings.js);
 * `--embeddings=local+glove` with it and the GloVe sentence vector joined (cosine EVAL_GLOVE_SHARE · GloVe's + the rest · USE-lite's, default 0.5);
 * or set EMBEDDINGS_BASE_URL (and EMBEDDINGS_MODEL, EMBEDDINGS_API_KEY) for another model.
 * `--service`: the knowledge service alone, asked over NATS as the gateway asks it (KnowledgeRpc.createCollection,
 * createArticle, answer), with no session process and no HTTP hop; the figures are the same, faster.
 * `--features=<file.jsonl>` writes, for the tuned sets only (never a sealed one), each question's decision features
 * (the service's debug line "answer features", numbers only) with whether its best article is the expected one:
 * the input of eval/fit-decision.js. Use it with --min-confidence=0.
 * Needs the apps built (`npx turbo run build --filter=@widget/knowledge --filter=@widget/gateway`).
 */
// --service asks over NATS from this process: its subjects need the stack's prefix, fixed before @widget/contracts loads.
if (process.argv.includes('--service')) process.env.NATS_SUBJECT_PREFIX ??= `e${Date.now().toString(36)}.`;
const { startStack, createTestWidget, startAnonymous, principalBus } = require('@widget/testing');
const { newId } = require('@widget/common');
const { KnowledgeRpc } = require('@widget/contracts');
const { loadCorpus } = require('./load-corpus');

const extra = process.argv.find((a) => a.startsWith('--questions='))?.slice('--questions='.length);
// --questions=<file>: another set of the same shape instead of the two (a scratch set while developing).
const SETS = extra
  ? { [extra]: require(require('node:path').resolve(extra)) }
  : { original: require('./questions.json'), dev: require('./questions-dev.json'), near: require('./questions-near.json'), train: require('./questions-train.json'), unseen: require('./questions-unseen.json'), blind: require('./questions-blind.json') };
/** Sets whose questions and misses are never printed: only their aggregate figures. */
const SEALED_FILES = new Set(['questions-unseen.json', 'questions-blind.json']);
const BLIND = new Set(['unseen', 'blind', ...(extra && SEALED_FILES.has(require('node:path').basename(extra)) ? [extra] : [])]);

async function evaluate(questions, ask, keyOf, record = null) {
  let hit1 = 0;
  let hit3 = 0;
  let answeredRight = 0;
  const misses = [];
  for (const { q, expect } of questions.answerable) {
    const reply = await ask(q);
    const ranked = [];
    for (const c of reply.answer?.citations ?? []) if (!ranked.includes(c.articleId)) ranked.push(c.articleId);
    for (const s of reply.suggestions) if (!ranked.includes(s.id)) ranked.push(s.id);
    const keys = ranked.map((id) => keyOf[id]);
    if (keys[0] === expect) hit1++;
    if (keys.slice(0, 3).includes(expect)) hit3++;
    const right = reply.answer && reply.answer.citations.some((c) => keyOf[c.articleId] === expect);
    if (right) answeredRight++;
    await record?.({ kind: 'answerable', top: keys[0] === expect });
    misses.push({ right: Boolean(right), q, expect, got: keys, confidence: reply.answer?.confidence ?? null, answer: reply.answer?.text ?? null, escalation: reply.escalation.reason });
  }
  let declined = 0;
  const wrongAnswers = [];
  for (const q of questions.unrelated) {
    const reply = await ask(q);
    if (reply.answer === null) declined++;
    else wrongAnswers.push({ q, cited: reply.answer.citations.map((c) => keyOf[c.articleId]), confidence: reply.answer.confidence });
    await record?.({ kind: 'unrelated', top: false });
  }
  const n = questions.answerable.length;
  const round = (v) => Math.round(v * 1000) / 1000;
  return {
    figures: {
      questions: n,
      unrelated: questions.unrelated.length,
      hitAt1: round(hit1 / n),
      hitAt3: round(hit3 / n),
      answeredCorrectly: round(answeredRight / n),
      correctDeclines: round(declined / questions.unrelated.length),
    },
    misses,
    wrongAnswers,
  };
}

/** `--profile=<file or JSON>`: overrides of the retrieval profile (src/domain/retrieval/profile.ts), given to the service as RETRIEVAL_PROFILE. */
function profileArg() {
  const raw = process.argv.find((a) => a.startsWith('--profile='))?.slice('--profile='.length);
  if (!raw) return {};
  return raw.trim().startsWith('{') ? JSON.parse(raw) : JSON.parse(require('node:fs').readFileSync(raw, 'utf8'));
}

/**
 * `--sweep=section.key=v1,v2,…`: one run per value (over --profile), every set printed per value;
 * the sealed sets as aggregates only. Choose on the tuned sets.
 */
async function main() {
  const sweep = process.argv.find((a) => a.startsWith('--sweep='))?.slice('--sweep='.length);
  const base = profileArg();
  if (!sweep) return run(base);
  const [path, values] = sweep.split('=');
  const [section, key] = path.split('.');
  for (const value of values.split(',')) {
    console.log(`--- ${path} = ${value}`);
    await run({ ...base, [section]: { ...base[section], [key]: Number(value) } });
  }
}

async function run(profile) {
  const verbose = process.argv.includes('--verbose');
  // --set=a,b: only those sets (--set=original,dev,near,train: the tuned ones, nothing sealed run).
  const onlyArg = process.argv.find((a) => a.startsWith('--set='))?.slice('--set='.length);
  const only = onlyArg ? new Set(onlyArg.split(',')) : null;
  // EMBEDDINGS_* from the environment reach the knowledge service: the evaluation with semantic retrieval on;
  // --embeddings=local starts a local sentence encoder for it (local-embeddings.js).
  const embeddings = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('EMBEDDINGS_')));
  const gloveShare = Number(process.env.EVAL_GLOVE_SHARE ?? 0.5);
  const localArg = process.argv.find((a) => a === '--embeddings=local' || a === '--embeddings=local+glove');
  const local = localArg ? await require('./local-embeddings').startLocalEmbeddings({ gloveShare: localArg === '--embeddings=local+glove' ? gloveShare : 0 }) : null;
  if (local) Object.assign(embeddings, { EMBEDDINGS_BASE_URL: local.url, EMBEDDINGS_MODEL: 'use-lite', EMBEDDINGS_TIMEOUT_MS: '8000' });
  if (embeddings.EMBEDDINGS_BASE_URL) console.log(`embeddings: ${embeddings.EMBEDDINGS_BASE_URL} (${embeddings.EMBEDDINGS_MODEL ?? 'default model'})`);
  if (Object.keys(profile).length) console.log(`profile: ${JSON.stringify(profile)}`);
  const featuresFile = process.argv.find((a) => a.startsWith('--features='))?.slice('--features='.length);
  const env = { LOG_LEVEL: featuresFile ? 'debug' : (process.env.EVAL_LOG_LEVEL ?? 'warn'), ...embeddings, ...(Object.keys(profile).length ? { RETRIEVAL_PROFILE: JSON.stringify(profile) } : {}) };
  const service = process.argv.includes('--service');
  // startStack always starts a gateway; with --service nothing is asked through it.
  if (service) env.NATS_SUBJECT_PREFIX = process.env.NATS_SUBJECT_PREFIX;
  const stack = await startStack({ services: service ? ['knowledge'] : ['session', 'knowledge'], realtime: false, env });
  if (process.env.EVAL_LOG_LEVEL) console.log(`logs: ${stack.logDir}`);
  // --min-confidence=<x>: the widget's decline threshold (default: the schema's, 0.35), for a sweep on the tuned sets.
  const min = process.argv.find((a) => a.startsWith('--min-confidence='))?.slice('--min-confidence='.length);
  let client;
  try {
    client = service ? await serviceClient(stack, min === undefined ? 0.35 : Number(min)) : await httpClient(stack, min);
    const { admin, ask, workspaceId } = client;
    const { articles } = await loadCorpus(admin, workspaceId);
    const keyOf = Object.fromEntries(Object.entries(articles).map(([k, id]) => [id, k]));

    const summary = {};
    for (const [name, questions] of Object.entries(SETS)) {
      if (only && !only.has(name)) continue;
      const features = featuresFile && !BLIND.has(name) ? featureReader(stack) : null;
      const record = features && (async (row) => require('node:fs').appendFileSync(featuresFile, `${JSON.stringify({ set: name, ...row, features: await features() })}\n`));
      const { figures, misses, wrongAnswers } = await evaluate(questions, ask, keyOf, record);
      summary[name] = figures;
      if (BLIND.has(name) || process.argv.includes('--quiet')) continue;
      const shown = misses.filter((m) => verbose || !m.right).map(({ right, ...m }) => m);
      if (shown.length) console.log(JSON.stringify({ set: name, notAnsweredCorrectly: shown }, null, 2));
      if (wrongAnswers.length) console.log(JSON.stringify({ set: name, answeredUnrelated: wrongAnswers }, null, 2));
    }
    for (const [name, figures] of Object.entries(summary)) console.log(JSON.stringify({ set: name, ...figures }));
  } finally {
    await client?.close?.();
    await stack.stop();
    await local?.stop();
  }
}

/**
 * The knowledge service's "answer features" debug lines, one per answer, in order: each call returns the next
 * one written since the last (the log is written asynchronously, so it waits for it briefly).
 */
function featureReader(stack) {
  const { readFileSync, statSync } = require('node:fs');
  const file = stack.apps.find((a) => a.name === 'knowledge').logFile;
  let offset = statSync(file).size;
  return async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const text = readFileSync(file).subarray(offset).toString('utf8');
      let at = 0;
      // Whole lines only: the last piece is empty or still being written.
      for (const line of text.split('\n').slice(0, -1)) {
        at += Buffer.byteLength(line) + 1;
        let msg = null;
        try {
          msg = JSON.parse(line).msg;
        } catch {
          continue; // not a log record
        }
        if (typeof msg === 'string' && msg.startsWith('answer features: ')) {
          offset += at;
          return JSON.parse(msg.slice('answer features: '.length));
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no "answer features" line in the knowledge log (is LOG_LEVEL debug?)');
  };
}

/** Through the gateway's HTTP API: the operator API for the corpus, a visitor's session for the questions. */
async function httpClient(stack, min) {
  const widget = await createTestWidget(stack, min === undefined ? {} : { ai: { minConfidence: Number(min) } });
  const admin = async (method, path, body) => {
    const res = method === 'POST' ? await widget.admin.post(path, body) : await widget.admin.get(path);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res.body;
  };
  const { token } = await startAnonymous(widget);
  const ask = async (question) => {
    const res = await widget.api.post('/ai/answer', { question }, { token });
    if (res.status !== 200) throw new Error(`answer: ${res.status} ${res.text}`);
    return res.body;
  };
  return { admin, ask, workspaceId: widget.workspaceId };
}

/** Straight to the knowledge service over NATS, with the gateway's grants: what the gateway would send. */
async function serviceClient(stack, minConfidence) {
  const bus = await principalBus(stack, 'gateway');
  const workspaceId = newId('workspace');
  const admin = async (method, path, body) => {
    if (path.endsWith('/collections')) return bus.send(KnowledgeRpc.createCollection, { workspaceId, name: body.name });
    if (path.endsWith('/articles')) return bus.send(KnowledgeRpc.createArticle, { workspaceId, body });
    throw new Error(`${method} ${path}: not asked of the service`);
  };
  const session = { sessionId: newId('session'), workspaceId, widgetId: newId('widget'), identityType: 'anonymous', userId: null, expiresAt: new Date(Date.now() + 3600_000).toISOString() };
  const ask = (question) =>
    bus.send(KnowledgeRpc.answer, { question, session, scope: { workspaceId, collectionIds: null }, ai: { enabled: true, mode: 'answer_first', minConfidence }, suggestArticles: true });
  return { admin, ask, workspaceId, close: () => bus.onApplicationShutdown() };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
