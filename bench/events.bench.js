/**
 * Event ingestion: 100-event batches through the gateway (HTTP → NATS →
 * events service → PostgreSQL, with validation and de-duplication) beside a
 * raw baseline: multi-row INSERTs of the same rows straight into
 * events.events with the `pg` client, same batch size and concurrency.
 */
const { Pool } = require('pg');
const { randomUUID } = require('node:crypto');
const { runConcurrent } = require('./stats');

const ORIGIN = 'https://bench.example.com';
const BATCH = 100;
const BATCHES = Number(process.env.BENCH_EVENT_BATCHES ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

function batch(prefix, i) {
  return Array.from({ length: BATCH }, (_, j) => ({
    id: `${prefix}-${i}-${j}`,
    type: j % 2 ? 'page_view' : 'button_click',
    occurredAt: new Date().toISOString(),
    properties: { path: `/p/${j}`, ref: 'bench' },
  }));
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
    const post = (events) =>
      fetch(`${stack.baseUrl}/widget/v1/events`, {
        method: 'POST',
        headers: { origin: ORIGIN, authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      }).then(json);

    // Warm-up: connections, JIT, caches.
    for (let i = 0; i < 10; i++) await post(batch(`warm-${run}`, i));

    let accepted = 0;
    const gateway = await runConcurrent(CONCURRENCY, BATCHES, async (i) => {
      const reply = await post(batch(`gw-${run}`, i));
      accepted += reply.accepted;
    });
    if (accepted !== BATCHES * BATCH) throw new Error(`gateway accepted ${accepted} of ${BATCHES * BATCH}`);

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
      for (let i = 0; i < 10; i++) await insert(batch(`rawwarm-${run}`, i));
      const raw = await runConcurrent(CONCURRENCY, BATCHES, (i) => insert(batch(`raw-${run}`, i)));
      const gatewayPerSecond = Math.round((BATCHES * BATCH) / gateway.seconds);
      const rawPerSecond = Math.round((BATCHES * BATCH) / raw.seconds);
      const ratio = Math.round((gatewayPerSecond / rawPerSecond) * 100) / 100;
      log(`gateway: ${gatewayPerSecond} events/s; raw multi-row INSERT: ${rawPerSecond} events/s; ratio ${ratio} (target ≥ 0.3)`);
      return { batchSize: BATCH, batches: BATCHES, concurrency: CONCURRENCY, gatewayEventsPerSecond: gatewayPerSecond, rawInsertEventsPerSecond: rawPerSecond, ratio };
    } finally {
      await pool.end();
    }
  },
};
