#!/usr/bin/env node
/**
 * `npm run faults`: the project's own fault run (issue 26). Outside `npm test`; a few minutes.
 *
 * One stack (startStack: every service, realtime and the gateway; real PostgreSQL and NATS) whose
 * processes reach PostgreSQL and NATS only through TCP proxies this script owns (bench/faults/proxy.js:
 * pass / cut / stall). PostgreSQL: TEST_ADMIN_DATABASE_URL points at the proxy, so the stack's fresh
 * database is created and used through it; NATS: NATS_URL is the proxy, which forwards to the stack's
 * private nats-server (its port read from that server's log in the stack's log directory). The checks
 * read PostgreSQL directly.
 *
 * Traffic (bench/faults/traffic.js): VISITORS visitors with a socket each (the SDK's RealtimeConnection
 * through the gateway) sending one message every 200 ms after the last was accepted, and one agent
 * replying through the admin API every 250 ms; recoverable refusals and network errors are retried with
 * the same clientMessageId after 100–300 ms (shorter than the SDK's backoff, so recovery measures the
 * server, not the client's wait).
 *
 * Faults, in order, each FAULT_MS long and followed by QUIET_MS: NATS cut, NATS stall, PostgreSQL cut,
 * PostgreSQL stall, SIGKILL of conversation, realtime and gateway (each restarted after FAULT_MS). A
 * proxy fault heals when the proxy is set back to pass; a killed process heals when its restart reports
 * ready (its start-up time is printed beside). A message, and a refusal, belong to the phase in which the
 * answer came (a send begun just before a stall and held by it is the stall's); the longest request of
 * a phase is the longest attempt in progress during it.
 *
 * Fails (exit 1, counterexamples printed) on: an accepted message not stored, or stored but never on
 * its owner's socket (lost); two ids for one clientMessageId, in storage or on the socket, or an accepted
 * id other than the stored one (doubled); an attempt longer than 20 s (hang); a refusal the SDK would not
 * retry; a socket the SDK gave up (fatal); recovery over 3 s (from heal to the first send whose attempt
 * started after the heal was accepted and delivered; "(201)" beside it: to the first such answer alone).
 * The same message id delivered twice on a socket is counted and printed (redelivered), not failed: the
 * SDK drops the repeat. Also printed: messages stored though never accepted, other rows in the conversations.
 *
 * Env: FAULT_MS (5000), QUIET_MS (7000), VISITORS (10), SETTLE_MS (20000: the longest wait for
 * deliveries after the traffic stops), STACK_TARGET=all (every app in one process, as `npm run stack`
 * runs them: the three kills become one SIGKILL of that process).
 */
const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { randomBytes } = require('node:crypto');
const { Client } = require('pg');
const { startStack, createTestWidget, createTeamWorkspace, REPO_ROOT } = require('@widget/testing');
const { poster } = require('../bench/http');
const { FaultProxy } = require('../bench/faults/proxy');
const { Traffic, HANG_MS } = require('../bench/faults/traffic');

const FAULT_MS = Number(process.env.FAULT_MS ?? 5000);
const QUIET_MS = Number(process.env.QUIET_MS ?? 7000);
const VISITORS = Number(process.env.VISITORS ?? 10);
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 20_000);
const RECOVERY_MS = 3000;
const WARMUP_MS = 5000;

const t0 = Date.now();
const clock = () => Date.now() - t0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (line) => process.stdout.write(`[${(clock() / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

const FAULTS = [
  { name: 'nats cut', proxy: 'nats', mode: 'cut' },
  { name: 'nats stall', proxy: 'nats', mode: 'stall' },
  { name: 'postgres cut', proxy: 'postgres', mode: 'cut' },
  { name: 'postgres stall', proxy: 'postgres', mode: 'stall' },
  { name: 'kill conversation', kill: 'conversation' },
  { name: 'kill realtime', kill: 'realtime' },
  { name: 'kill gateway', kill: 'gateway' },
];

/**
 * restart() on the same port(s); another process on this box may take a port while the app is down
 * (a port from the ephemeral range, as the harness picks them). Then: retries for 5 s; a service, whose
 * health port nobody else uses, then starts on new ports; the gateway and realtime cannot (the run stops).
 */
async function restartApp(stack, app) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await app.restart();
    } catch (err) {
      if (!/was taken/.test(String(err?.message))) throw err;
      if (attempt < 10) {
        await sleep(500);
        continue;
      }
      if (app.name === 'gateway' || app.name === 'realtime') throw new Error(`harness: ${app.name}'s port was taken by another process while it was down; no verdict`);
      say(`${app.name}'s health port was taken while it was down: started on new ports`);
      return stack.spawn(app.name);
    }
  }
}

/** The port the stack's nats-server listens on, from its own log line. */
function natsPortFromLog(logDir) {
  const log = readFileSync(join(logDir, 'nats-server.log'), 'utf8');
  const ports = [...log.matchAll(/Listening for client connections on [\d.]+:(\d+)/g)];
  if (ports.length === 0) throw new Error(`no client port in ${logDir}/nats-server.log yet`);
  return Number(ports[ports.length - 1][1]);
}

async function main() {
  const realAdminUrl = new URL(process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const logDir = join(REPO_ROOT, '.stack', 'faults-logs', `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`);
  mkdirSync(logDir, { recursive: true });
  const proxies = {
    postgres: new FaultProxy('postgres', () => ({ host: realAdminUrl.hostname, port: Number(realAdminUrl.port || 5432) })),
    nats: new FaultProxy('nats', () => ({ host: '127.0.0.1', port: natsPortFromLog(logDir) })),
  };
  await Promise.all(Object.values(proxies).map((p) => p.listen()));
  const proxiedAdmin = new URL(realAdminUrl);
  proxiedAdmin.hostname = '127.0.0.1';
  proxiedAdmin.port = String(proxies.postgres.port);
  process.env.TEST_ADMIN_DATABASE_URL = proxiedAdmin.toString();

  say(`starting the stack (logs in ${logDir}); proxies: postgres :${proxies.postgres.port}, nats :${proxies.nats.port}`);
  const stack = await startStack({ logDir, env: { NATS_URL: `nats://127.0.0.1:${proxies.nats.port}`, LOG_LEVEL: 'warn' } });
  const running = Object.fromEntries(stack.apps.map((a) => [a.name, a]));
  const restarted = [];
  // Should this script die unexpectedly, its processes die with it (never left holding ports and a database).
  const killAll = () => [...stack.apps, ...restarted].forEach((a) => a.process.exitCode === null && a.process.kill('SIGKILL'));
  process.once('uncaughtException', (err) => {
    console.error(err);
    killAll();
    void stack.nats.stop().finally(() => process.exit(1));
  });
  process.once('SIGINT', () => {
    killAll();
    void stack.nats.stop().finally(() => process.exit(130));
  });
  const directUrl = new URL(stack.databaseUrl);
  directUrl.hostname = realAdminUrl.hostname;
  directUrl.port = realAdminUrl.port || '5432';

  const phases = [{ name: 'warm-up', start: 0 }];
  const phaseAt = (t) => {
    for (let i = phases.length - 1; i >= 0; i--) if (phases[i].start <= t) return phases[i].name;
    return phases[0].name;
  };
  const post = poster(stack.baseUrl, VISITORS * 4);
  const traffic = new Traffic({ post, baseUrl: stack.baseUrl, clock, phaseAt });
  let failed = false;
  try {
    const sdk = await import('@widget/sdk/core');
    const widget = await createTestWidget(stack);
    const team = await createTeamWorkspace(stack, widget.workspaceId);
    for (let i = 0; i < VISITORS; i++) await traffic.addVisitor(widget, sdk);
    phases[0].start = clock();
    traffic.start(team.agent.token);
    say(`traffic: ${VISITORS} visitors and one agent; warm-up ${WARMUP_MS} ms`);
    await sleep(WARMUP_MS);

    // One process for every app (STACK_TARGET=all, apps/server): the three kills are one, of that process.
    const oneProcess = new Set(stack.apps.map((a) => a.process)).size === 1;
    const faults = oneProcess ? [...FAULTS.filter((f) => !f.kill), { name: 'kill server (all)', kill: 'gateway' }] : FAULTS;
    if (oneProcess) say('one process for every app (STACK_TARGET=all): one SIGKILL of it instead of three');
    for (const fault of faults) {
      const phase = { name: fault.name, start: clock() };
      phases.push(phase);
      if (fault.proxy) {
        proxies[fault.proxy].set(fault.mode);
        say(`${fault.name}`);
        await sleep(FAULT_MS);
        proxies[fault.proxy].set('pass');
        phase.healAt = clock();
      } else {
        const app = running[fault.kill];
        await app.stop('SIGKILL');
        say(`${fault.name} (SIGKILL, pid ${app.process.pid})`);
        await sleep(FAULT_MS);
        const restartAt = clock();
        running[fault.kill] = await restartApp(stack, app);
        restarted.push(running[fault.kill]);
        phase.healAt = clock();
        phase.startupMs = phase.healAt - restartAt;
      }
      say(`${fault.name}: healed${phase.startupMs !== undefined ? ` (restarted, ready in ${phase.startupMs} ms)` : ''}`);
      await sleep(QUIET_MS);
    }

    say('traffic stopping; waiting for the messages under way');
    await traffic.stop();
    const settleUntil = clock() + SETTLE_MS;
    const undelivered = () => [...traffic.messages.values()].filter((m) => m.acceptedAt !== null && m.deliveredAt === null).length;
    while (undelivered() > 0 && clock() < settleUntil) await sleep(200);
    say(`settled (${undelivered()} accepted messages not delivered)`);
    traffic.close();

    const db = new Client({ connectionString: directUrl.toString() });
    await db.connect();
    const conversationIds = traffic.visitors.map((v) => v.conversationId);
    const rows = (await db.query('SELECT id, conversation_id, client_message_id FROM conversation.messages WHERE conversation_id = ANY($1)', [conversationIds])).rows;
    await db.end();
    failed = report(traffic, rows, phases);
  } finally {
    await Promise.all(restarted.map((a) => a.stop()));
    await stack.stop();
    await Promise.all(Object.values(proxies).map((p) => p.close()));
  }
  process.exitCode = failed ? 1 : 0;
}

/** Prints the table per phase and the counterexamples; true when the run failed. */
function report(traffic, rows, phases) {
  const stored = new Map();
  for (const row of rows) {
    if (!row.client_message_id) continue;
    const key = `${row.conversation_id} ${row.client_message_id}`;
    stored.set(key, [...(stored.get(key) ?? []), row.id]);
  }
  const problems = [];
  const table = new Map(phases.map((p) => [p.name, { phase: p.name, sent: 0, accepted: 0, stored: 0, delivered: 0, lost: 0, doubled: 0, maxRequestMs: 0, refusals: {}, recoveryMs: null }]));
  let redelivered = 0;
  for (const m of traffic.messages.values()) {
    const line = table.get(m.phase);
    line.sent++;
    const ids = stored.get(`${m.conversationId} ${m.clientMessageId}`) ?? [];
    const example = { kind: m.kind, phase: m.phase, conversationId: m.conversationId, clientMessageId: m.clientMessageId, acceptedId: m.acceptedId, storedIds: ids, deliveredIds: [...m.deliveredIds], attempts: m.attempts.length };
    if (ids.length > 0) line.stored++;
    if (m.deliveredAt !== null) line.delivered++;
    for (const id of m.deliveredIds) if ((traffic.rawByMessageId.get(id) ?? 0) > 1) redelivered++;
    if (m.acceptedAt !== null) {
      line.accepted++;
      if (ids.length === 0 || m.deliveredIds.size === 0) {
        line.lost++;
        problems.push({ problem: ids.length === 0 ? 'lost: accepted, not stored' : 'lost: stored, never delivered', ...example });
      }
    }
    const allIds = new Set([...ids, ...m.deliveredIds, ...(m.acceptedId ? [m.acceptedId] : [])]);
    if (allIds.size > 1) {
      line.doubled++;
      problems.push({ problem: 'doubled: more than one id for one clientMessageId', ...example });
    }
    if (m.refusal) problems.push({ problem: 'refused (not recoverable)', ...example, refusal: m.refusal });
    for (const a of m.attempts) {
      // The longest attempt in progress during each phase (one begun before a stall is the stall's).
      for (const [i, p] of phases.entries()) {
        const end = phases[i + 1]?.start ?? Infinity;
        if (a.at < end && a.at + a.ms >= p.start) table.get(p.name).maxRequestMs = Math.max(table.get(p.name).maxRequestMs, Math.round(a.ms));
      }
      const at = table.get(a.phase);
      if (a.outcome !== 'accepted') {
        const key = `${a.outcome === 'refused' ? '!' : ''}${a.status || ''} ${a.code}${a.reason ? `/${a.reason}` : ''}`.trim();
        at.refusals[key] = (at.refusals[key] ?? 0) + 1;
      }
      if (a.hang) problems.push({ problem: `hang: an attempt took ${Math.round(a.ms)} ms (over ${HANG_MS})`, ...example });
    }
  }
  for (const phase of phases.filter((p) => p.healAt !== undefined)) {
    let first = Infinity;
    let firstAccepted = Infinity;
    for (const m of traffic.messages.values()) {
      const accepted = m.attempts.find((a) => a.outcome === 'accepted');
      if (!accepted || accepted.at < phase.healAt) continue;
      firstAccepted = Math.min(firstAccepted, m.acceptedAt);
      if (m.deliveredAt !== null) first = Math.min(first, Math.max(m.acceptedAt, m.deliveredAt));
    }
    const line = table.get(phase.name);
    line.recoveryMs = first === Infinity ? null : first - phase.healAt;
    // Of which the answer: what is left is the socket's part.
    line.acceptedMs = firstAccepted === Infinity ? null : firstAccepted - phase.healAt;
    if (phase.startupMs !== undefined) line.startupMs = phase.startupMs;
    if (line.recoveryMs === null || line.recoveryMs > RECOVERY_MS) problems.push({ problem: `recovery after ${phase.name}: ${line.recoveryMs ?? 'never'} ms (over ${RECOVERY_MS})` });
  }
  for (const f of traffic.fatal) problems.push({ problem: 'socket given up by the SDK (fatal refusal)', ...f });
  // Stored though never accepted (a refusal after the row was written, or a send the run gave up); rows of other authors.
  const storedUnaccepted = [...traffic.messages.values()].filter((m) => m.acceptedAt === null && stored.has(`${m.conversationId} ${m.clientMessageId}`)).length;
  const otherRows = rows.filter((r) => !r.client_message_id || !traffic.messages.has(r.client_message_id)).length;

  const lines = [...table.values()];
  const total = lines.reduce((sum, l) => ({ sent: sum.sent + l.sent, accepted: sum.accepted + l.accepted, stored: sum.stored + l.stored, delivered: sum.delivered + l.delivered, lost: sum.lost + l.lost, doubled: sum.doubled + l.doubled }), { sent: 0, accepted: 0, stored: 0, delivered: 0, lost: 0, doubled: 0 });
  const pad = (v, n) => String(v).padStart(n);
  process.stdout.write(`\n${'phase'.padEnd(18)}${pad('sent', 6)}${pad('accepted', 9)}${pad('stored', 7)}${pad('deliv', 6)}${pad('lost', 5)}${pad('dbl', 4)}${pad('max ms', 8)}${pad('recov ms', 9)}${pad('(201)', 7)}${pad('start ms', 9)}  retried (and ! refused) by code\n`);
  for (const l of lines) {
    const refusals = Object.entries(l.refusals).map(([k, n]) => `${k}×${n}`).join(', ') || '-';
    process.stdout.write(`${l.phase.padEnd(18)}${pad(l.sent, 6)}${pad(l.accepted, 9)}${pad(l.stored, 7)}${pad(l.delivered, 6)}${pad(l.lost, 5)}${pad(l.doubled, 4)}${pad(l.maxRequestMs, 8)}${pad(l.recoveryMs ?? '-', 9)}${pad(l.acceptedMs ?? '-', 7)}${pad(l.startupMs ?? '-', 9)}  ${refusals}\n`);
  }
  process.stdout.write(`${'total'.padEnd(18)}${pad(total.sent, 6)}${pad(total.accepted, 9)}${pad(total.stored, 7)}${pad(total.delivered, 6)}${pad(total.lost, 5)}${pad(total.doubled, 4)}\n`);
  process.stdout.write(`redelivered (one message id twice on its socket, dropped by the SDK): ${redelivered}; stored but never accepted: ${storedUnaccepted}; other rows in the conversations: ${otherRows}\n`);
  mkdirSync(join(REPO_ROOT, '.stack'), { recursive: true });
  writeFileSync(join(REPO_ROOT, '.stack', 'faults-results.json'), JSON.stringify({ at: new Date().toISOString(), phases: lines, total, redelivered, storedUnaccepted, otherRows, problems }, null, 2));
  if (problems.length === 0) {
    process.stdout.write('\nPASS: nothing accepted was lost or doubled, no hang, no refusal the SDK would not retry, every recovery within 3 s\n');
    return false;
  }
  process.stdout.write(`\nFAIL: ${problems.length} counterexample(s)\n`);
  for (const p of problems.slice(0, 40)) process.stdout.write(`${JSON.stringify(p)}\n`);
  if (problems.length > 40) process.stdout.write(`… and ${problems.length - 40} more in .stack/faults-results.json\n`);
  return true;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
