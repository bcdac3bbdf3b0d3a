#!/usr/bin/env node
/**
 * Memory of the whole stack, both topologies in one run on the same build: the per-app stack (one Node
 * process per app) and the one-process mode (apps/server, TARGET=all). For each: RSS of every app process
 * once all are ready and settled, then after a short burst of traffic (visitors: session, conversation,
 * socket, messages; an operator reply each), and the knowledge service's word-vector table. Prints JSON
 * lines and a table; nothing is asserted.
 * Usage: node bench/footprint.js [--visitors=40] [--messages=5] [--targets=per-app,all] [--env=EMBEDDINGS_LOCAL=off]
 */
const { readFileSync, statSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const { loadavg } = require('node:os');
const { randomUUID } = require('node:crypto');
const { createTestWidget, openSocket, startAnonymous, startStack, REPO_ROOT } = require('@widget/testing');

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const VISITORS = arg('visitors', 40);
const MESSAGES = arg('messages', 5);
const SETTLE_MS = arg('settle-ms', 5000);
const TARGETS = (process.argv.find((a) => a.startsWith('--targets='))?.split('=')[1] ?? 'per-app,all').split(',');
/** Extra environment of every app, e.g. --env=EMBEDDINGS_LOCAL=off (the word vectors not loaded). */
const ENV = Object.fromEntries(process.argv.filter((a) => a.startsWith('--env=')).map((a) => a.slice('--env='.length).split(/=(.*)/s).slice(0, 2)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resident set of a process, MB (VmRSS), and the part of it that is file-backed (RssFile). */
function rss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
  return { rssMb: Math.round(kb('VmRSS') / 1024), fileMb: Math.round(kb('RssFile') / 1024), anonMb: Math.round(kb('RssAnon') / 1024) };
}

function snapshot(stack) {
  const byPid = new Map();
  for (const app of stack.apps) byPid.set(app.process.pid, [...(byPid.get(app.process.pid) ?? []), app.name]);
  const processes = [...byPid].map(([pid, apps]) => ({ apps: apps.join(','), ...rss(pid) }));
  return { totalMb: processes.reduce((sum, p) => sum + p.rssMb, 0), processes };
}

async function burst(stack) {
  const widget = await createTestWidget(stack);
  const sockets = [];
  const one = async () => {
    const { token } = await startAnonymous(widget);
    const created = await widget.api.post('/conversations', { message: 'hello', clientMessageId: randomUUID() }, { token });
    if (created.status !== 201) throw new Error(`conversation: ${created.status}`);
    sockets.push(await openSocket(stack.baseUrl, { token }));
    for (let i = 0; i < MESSAGES; i++) {
      const sent = await widget.api.post(`/conversations/${created.body.id}/messages`, { text: `message ${i}`, clientMessageId: randomUUID() }, { token });
      if (sent.status !== 201) throw new Error(`message: ${sent.status}`);
    }
    await widget.admin.post(`/conversations/${created.body.id}/messages`, { text: 'An operator answers', author: { id: 'op-1', name: 'Olga' } });
  };
  const started = Date.now();
  // A visitor refused on a loaded box (a service past NATS_REQUEST_TIMEOUT_MS) is counted, not fatal: memory is the figure here.
  const failed = (await Promise.allSettled(Array.from({ length: VISITORS }, one))).filter((r) => r.status === 'rejected').map((r) => r.reason.message.slice(0, 120));
  const ms = Date.now() - started;
  return { ms, failed, close: () => sockets.forEach((s) => s.close()) };
}

async function measure(target) {
  const stack = await startStack({ target, env: ENV });
  try {
    await sleep(SETTLE_MS);
    const idle = snapshot(stack);
    const traffic = await burst(stack);
    await sleep(SETTLE_MS);
    const after = snapshot(stack);
    traffic.close();
    return { target, idle, after, burstMs: traffic.ms, failedVisitors: traffic.failed, load: loadavg().map((l) => l.toFixed(1)).join(' ') };
  } finally {
    await stack.stop();
  }
}

async function main() {
  const vectors = join(REPO_ROOT, 'apps', 'knowledge', 'dist', 'word-vectors.bin');
  const vectorsMb = existsSync(vectors) ? Math.round(statSync(vectors).size / 1048576) : 0;
  const results = [];
  for (const target of TARGETS) {
    const result = await measure(target);
    console.log(JSON.stringify(result));
    results.push(result);
  }
  console.log(`\nword-vectors.bin: ${vectorsMb} MB; env ${JSON.stringify(ENV)}; ${VISITORS} visitors × ${MESSAGES} messages + an operator reply; load at the end of each run shown`);
  console.log('topology  | processes | idle RSS MB | after burst RSS MB | burst ms | failed visitors | load (1/5/15 min)');
  for (const r of results) console.log(`${r.target.padEnd(9)} | ${String(r.idle.processes.length).padEnd(9)} | ${String(r.idle.totalMb).padEnd(11)} | ${String(r.after.totalMb).padEnd(18)} | ${String(r.burstMs).padEnd(8)} | ${String(r.failedVisitors.length).padEnd(15)} | ${r.load}`);
  for (const r of results) for (const p of r.after.processes) console.log(`  ${r.target} after: ${p.apps.padEnd(14)} ${p.rssMb} MB (anon ${p.anonMb}, file ${p.fileMb})`);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
