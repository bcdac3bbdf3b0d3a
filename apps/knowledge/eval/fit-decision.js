#!/usr/bin/env node
/**
 * The answer decision as a calibrated model (issue 25): a logistic regression
 * over what the ranking knows of its best article, fitted on the training
 * set's features only, its threshold chosen there, then measured on the other
 * tuned sets (original, dev, near: not used by the fit) beside today's rule
 * (confidence ≥ 0.35). Sealed sets never reach this script: run-eval.js
 * writes no features for them.
 *
 *   npm run eval -w @widget/knowledge -- --service --quiet --min-confidence=0 \
 *     --set=original,dev,near,train --features=/tmp/features.jsonl
 *   node apps/knowledge/eval/fit-decision.js /tmp/features.jsonl
 *
 * Prints, on the training set, how well each feature alone separates "answer:
 * the best article is the expected one" from "decline: unrelated" (AUC, and
 * the quartiles of both groups), then the model's AUC and, per set, answered
 * correctly / correct declines for the rule and for the model.
 */
const { readFileSync } = require('node:fs');

const RULE_THRESHOLD = 0.35;

/** The model's inputs, from the service's "answer features" line (null: declined before ranking). */
const FEATURES = {
  confidence: (f) => f.confidence,
  second: (f) => f.second,
  margin: (f) => f.confidence - f.second,
  articleCoverage: (f) => f.articleCoverage,
  passageCoverage: (f) => f.passageCoverage,
  titleCoverage: (f) => f.titleCoverage,
  lexicalFirst: (f) => (f.lexicalRank === 1 ? 1 : 0),
  semanticFirst: (f) => (f.semanticRank === 1 ? 1 : 0),
  agree: (f) => (f.lexicalRank === 1 && f.semanticRank === 1 ? 1 : 0),
  similarity: (f) => f.similarity,
  bestSimilarity: (f) => f.bestSimilarity,
  uncovered: (f) => f.uncovered,
  concepts: (f) => Math.min(f.concepts, 10) / 10,
};
const NAMES = Object.keys(FEATURES);

function load(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

const vector = (f) => NAMES.map((n) => FEATURES[n](f));
/** Answering is right: an answerable question whose best article is the expected one. */
const positive = (r) => r.kind === 'answerable' && r.top;

function auc(scores, labels) {
  const pos = scores.filter((_, i) => labels[i]);
  const neg = scores.filter((_, i) => !labels[i]);
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return pos.length && neg.length ? wins / (pos.length * neg.length) : NaN;
}

function quartiles(values) {
  const s = [...values].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return s.length ? [q(0.25), q(0.5), q(0.75)].map((v) => Math.round(v * 1000) / 1000) : [];
}

/** Standardized inputs, L2-regularised logistic regression by gradient descent (a few hundred rows). */
function fit(rows, { l2 = 0.01, steps = 4000, rate = 0.1 } = {}) {
  const X = rows.map((r) => vector(r.features));
  const y = rows.map((r) => (positive(r) ? 1 : 0));
  const mean = NAMES.map((_, j) => X.reduce((s, x) => s + x[j], 0) / X.length);
  const sd = NAMES.map((_, j) => Math.sqrt(X.reduce((s, x) => s + (x[j] - mean[j]) ** 2, 0) / X.length) || 1);
  const Z = X.map((x) => x.map((v, j) => (v - mean[j]) / sd[j]));
  const w = NAMES.map(() => 0);
  let b = 0;
  for (let step = 0; step < steps; step++) {
    const gw = w.map((wj) => l2 * wj);
    let gb = 0;
    Z.forEach((z, i) => {
      const p = 1 / (1 + Math.exp(-(b + z.reduce((s, v, j) => s + v * w[j], 0))));
      const e = (p - y[i]) / Z.length;
      z.forEach((v, j) => (gw[j] += e * v));
      gb += e;
    });
    w.forEach((_, j) => (w[j] -= rate * gw[j]));
    b -= rate * gb;
  }
  const predict = (f) => {
    const z = vector(f).map((v, j) => (v - mean[j]) / sd[j]);
    return 1 / (1 + Math.exp(-(b + z.reduce((s, v, j) => s + v * w[j], 0))));
  };
  return { predict, weights: Object.fromEntries(NAMES.map((n, j) => [n, Math.round(w[j] * 1000) / 1000])), bias: b };
}

/** What the evaluation counts: answered correctly (of the answerable) and correct declines (of the unrelated). */
function figures(rows, answers) {
  const answerable = rows.filter((r) => r.kind === 'answerable');
  const unrelated = rows.filter((r) => r.kind === 'unrelated');
  const round = (v) => Math.round(v * 1000) / 1000;
  return {
    answeredCorrectly: round(answerable.filter((r) => r.top && r.features && answers(r.features)).length / answerable.length),
    correctDeclines: round(unrelated.filter((r) => !r.features || !answers(r.features)).length / unrelated.length),
    wrongAnswers: answerable.filter((r) => !r.top && r.features && answers(r.features)).length,
  };
}

function main() {
  const rows = load(process.argv[2]);
  const train = rows.filter((r) => r.set === 'train');
  if (train.length === 0) throw new Error('no training-set rows: run run-eval.js with --set=…,train --features=…');
  const ranked = train.filter((r) => r.features);
  // Separation on the training set: answerable with the right best article, against unrelated questions.
  const sep = ranked.filter((r) => positive(r) || r.kind === 'unrelated');
  console.log(`training set: ${train.length} questions (${sep.filter(positive).length} answerable with the right best article, ${sep.filter((r) => r.kind === 'unrelated').length} unrelated with a candidate)`);
  for (const name of NAMES) {
    const values = sep.map((r) => FEATURES[name](r.features));
    const labels = sep.map(positive);
    console.log(
      `  ${name.padEnd(16)} AUC ${auc(values, labels).toFixed(3)}  right answers q1/median/q3 ${JSON.stringify(quartiles(values.filter((_, i) => labels[i])))}  unrelated ${JSON.stringify(quartiles(values.filter((_, i) => !labels[i])))}`,
    );
  }
  const model = fit(ranked);
  console.log(`model weights (standardized inputs): ${JSON.stringify(model.weights)}`);
  console.log(`model AUC on train (fitted there) ${auc(sep.map((r) => model.predict(r.features)), sep.map(positive)).toFixed(3)}`);
  // The threshold: the one maximising answered correctly + correct declines on the training set (as the rule's was judged).
  let best = { t: 0.5, sum: -1 };
  for (let t = 0.05; t < 0.96; t += 0.01) {
    const f = figures(train, (x) => model.predict(x) >= t);
    if (f.answeredCorrectly + f.correctDeclines > best.sum) best = { t: Math.round(t * 100) / 100, sum: f.answeredCorrectly + f.correctDeclines };
  }
  console.log(`threshold chosen on train: p ≥ ${best.t}`);
  for (const set of [...new Set(rows.map((r) => r.set))]) {
    const these = rows.filter((r) => r.set === set);
    const heldOut = these.filter((r) => r.features && (positive(r) || r.kind === 'unrelated'));
    console.log(
      JSON.stringify({
        set,
        fittedOn: set === 'train',
        rule: figures(these, (f) => f.confidence >= RULE_THRESHOLD),
        model: figures(these, (f) => model.predict(f) >= best.t),
        auc: { confidence: Number(auc(heldOut.map((r) => r.features.confidence), heldOut.map(positive)).toFixed(3)), model: Number(auc(heldOut.map((r) => model.predict(r.features)), heldOut.map(positive)).toFixed(3)) },
      }),
    );
  }
}

main();
