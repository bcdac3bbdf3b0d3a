/**
 * Event ingestion: 100-event batches through the gateway (HTTP → NATS →
 * events service → PostgreSQL, with validation and de-duplication) beside a
 * raw baseline: multi-row INSERTs of the same rows straight into
 * events.events with the `pg` client, same batch size and concurrency.
 *
 * The two alternate for BENCH_EVENT_ROUNDS rounds (a raw round of 300
 * batches lasts a fraction of a second: alone, one burst of load from a
 * neighbour decided the ratio); rates are over all rounds. Each side also
 * reports CPU ms per batch by process (bench/cpu.js), plus
 * `postgres (this db)`: the backends of this stack's database alone, since
 * `postgres` counts every backend of a server other stacks may share.
 */
const { poster } = require('./http');
const { Pool } = require('pg');
const { randomUUID } = require('node:crypto');
const { runConcurrent } = require('./stats');
const { measureCpu, cpuMsOf } = require('./cpu');

const ORIGIN = 'https://bench.example.com';
const BATCH = 100;
const BATCHES = Number(process.env.BENCH_EVENT_BATCHES ?? 300);
const ROUNDS = Number(process.env.BENCH_EVENT_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

function batch(prefix, i) {
  return Array.from({ length: BATCH }, (_, j) => ({
    id: `${prefix}-${i}-${j}`,
    type: j % 2 ? 'page_view' : 'button_click',
    occurredAt: new Date().toISOString(),
    properties: { path: `/p/${j}`, ref: 'bench' },
  }));
}

/** CPU ms by component, summed over the rounds of one side. */
function cpuTotals(stack, pool) {
  const totals = {};
  let operations = 0;
  const backends = async () => (await pool.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map((r) => r.pid);
  return {
    /** Measures one phase; its backends are pooled, so those alive at the end ran it. */
    async measure(count, phase) {
      const before = new Map((await backends()).map((pid) => [pid, cpuMsOf(pid)]));
      const cpu = measureCpu(stack);
      const result = await phase();
      for (const [key, ms] of Object.entries(cpu.end(1))) totals[key] = (totals[key] ?? 0) + ms;
      const db = (await backends()).reduce((sum, pid) => sum + cpuMsOf(pid) - (before.get(pid) ?? 0), 0);
      totals['postgres (this db)'] = (totals['postgres (this db)'] ?? 0) + db;
      operations += count;
      return result;
    },
    perOperation() {
      return Object.fromEntries(Object.entries(totals).map(([key, ms]) => [key, Math.round((ms / operations) * 100) / 100]));
    },
  };
}

async function json(res) {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

module.exports = {
  name: 'events',
  async run({ stack, log }) {
    const admin = (method, path, body) =>
      fetch(`${stack.baseUrl}/admin/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
        body: body && JSON.stringify(body),
      }).then(json);
    const ws = await admin('POST', '/workspaces', { name: 'bench-events' });
    const { widget } = await admin('POST', `/workspaces/${ws.id}/widgets`, { allowedOrigins: [ORIGIN] });
    const session = await fetch(`${stack.baseUrl}/widget/v1/sessions/anonymous`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ workspaceId: ws.id, widgetId: widget.id }),
    }).then(json);

    const run = randomUUID().slice(0, 8);
    const send = poster(stack.baseUrl, CONCURRENCY);
    const post = async (events) => {
      const res = await send('/widget/v1/events', { events }, { origin: ORIGIN, authorization: `Bearer ${session.token}` });
      if (res.status !== 202) throw new Error(`${res.status} ${res.text}`);
      return JSON.parse(res.text);
    };

    const pool = new Pool({ connectionString: stack.databaseUrl, max: CONCURRENCY });
    const insert = (rows) => {
      const params = [];
      const tuples = rows.map((e, k) => {
        params.push(ws.id, e.id, e.type, e.occurredAt, widget.id, session.session.id, JSON.stringify(e.properties));
        const b = k * 7;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, 'client', $${b + 7})`;
      });
      return pool.query(
        `INSERT INTO events.events (workspace_id, event_id, type, occurred_at, widget_id, session_id, source, properties) VALUES ${tuples.join(', ')}`,
        params,
      );
    };
    try {
      // Warm-up: connections, JIT, caches.
      for (let i = 0; i < 10; i++) await post(batch(`warm-${run}`, i));
      for (let i = 0; i < 10; i++) await insert(batch(`rawwarm-${run}`, i));

      const gatewayCpu = cpuTotals(stack, pool);
      const rawCpu = cpuTotals(stack, pool);
      let gatewaySeconds = 0;
      let rawSeconds = 0;
      let accepted = 0;
      const rounds = [];
      for (let round = 0; round < ROUNDS; round++) {
        const gateway = await gatewayCpu.measure(BATCHES, () =>
          runConcurrent(CONCURRENCY, BATCHES, async (i) => {
            const reply = await post(batch(`gw-${run}-${round}`, i));
            accepted += reply.accepted;
          }),
        );
        const raw = await rawCpu.measure(BATCHES, () => runConcurrent(CONCURRENCY, BATCHES, (i) => insert(batch(`raw-${run}-${round}`, i))));
        gatewaySeconds += gateway.seconds;
        rawSeconds += raw.seconds;
        rounds.push(Math.round((raw.seconds / gateway.seconds) * 100) / 100);
      }
      if (accepted !== ROUNDS * BATCHES * BATCH) throw new Error(`gateway accepted ${accepted} of ${ROUNDS * BATCHES * BATCH}`);

      const gatewayPerSecond = Math.round((ROUNDS * BATCHES * BATCH) / gatewaySeconds);
      const rawPerSecond = Math.round((ROUNDS * BATCHES * BATCH) / rawSeconds);
      const ratio = Math.round((gatewayPerSecond / rawPerSecond) * 100) / 100;
      // CPU ms per 100-event batch by process: where ingestion spends its time (per batch: measureCpu rounds to 0.01 ms).
      const cpuMsPerBatch = gatewayCpu.perOperation();
      const rawCpuMsPerBatch = rawCpu.perOperation();
      log(`gateway: ${gatewayPerSecond} events/s; raw multi-row INSERT: ${rawPerSecond} events/s; ratio ${ratio} (target ≥ 0.3); by round ${rounds.join(', ')}`);
      log(`CPU ms per batch of ${BATCH}, gateway path: ${JSON.stringify(cpuMsPerBatch)}; raw INSERT: ${JSON.stringify(rawCpuMsPerBatch)}`);
      return {
        batchSize: BATCH,
        batches: BATCHES,
        rounds: ROUNDS,
        concurrency: CONCURRENCY,
        gatewayEventsPerSecond: gatewayPerSecond,
        rawInsertEventsPerSecond: rawPerSecond,
        ratio,
        ratioByRound: rounds,
        cpuMsPerBatch,
        rawCpuMsPerBatch,
      };
    } finally {
      await pool.end();
    }
  },
};
