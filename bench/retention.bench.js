/**
 * Over 400 lines: one benchmark with its seeding (SQL shaped as the services write), chat load, probes
 * (pg_stat_activity, /proc CPU) and report; each part is used only here.
 *
 * Retention sweeps beside chat (SPEC §17, issue 23: "with no effect on chat latency — measure it").
 *
 * One workspace and widget. Its backlog of OLD data is written straight into the services' schemas by SQL
 * (multi-row INSERT … SELECT generate_series), valid for the services' code: BENCH_RETENTION_CONVERSATIONS
 * conversations (default 100,000) of 5 messages each (visitor, agent, visitor, agent, visitor; every 10th
 * with an 8 KiB PNG attachment on its first message, row and chunk) whose last activity is 400–430 days
 * ago, and BENCH_RETENTION_EVENTS events (default 2,000,000) of the same age in their own month partitions
 * (made by events.ensure_partitions, as a table that lived that long has them): the lifecycle facts of those
 * conversations (session started, conversation started, one per visitor message) and client events for the
 * rest. The de-duplication ledger is not seeded: it keeps ids 35 days. Then VACUUM (ANALYZE) of the seeded
 * tables: what autovacuum (off on this machine's PostgreSQL) would long since have done to 400-day-old rows.
 * The defaults are sized so that the sweep lasts about a window under load (20,000 and 200,000 were gone in
 * 3–6 s of a 30 s window).
 *
 * Chat load: BENCH_RETENTION_VISITORS visitors (default 10), each with its own session, conversation and
 * socket, sending one message at a time (`POST /widget/v1/conversations/{id}/messages` through the gateway;
 * figures: the 201, and POST start → `message.created` on the sender's socket, as bench/messages.bench.js),
 * and one operator loop replying through the operator API to those conversations in turn (POST start → the
 * visitor's socket event). Closed loops by default: the machine is saturated, so whatever CPU a sweep takes
 * is taken from chat (the worst case); BENCH_RETENTION_RATE=<sends/s> paces the same visitors instead.
 *
 * BENCH_RETENTION_ROUNDS rounds (default 2), each: retention cleared, a fresh backlog seeded, a baseline
 * window (nothing is deleted: the tables' n_tup_del do not move), then `PATCH /admin/v1/workspaces/{ws}
 * { retention }` (365 days for all three kinds) and a sweep window of the same load from that moment; the
 * rest of the backlog, if any, is left to drain without load; then what an (idle) sweep pass costs over the
 * deleted rows, VACUUM (ANALYZE) of the swept tables (autovacuum's job), and that cost again. A last window
 * ("after") once the last backlog is gone. Every window lasts BENCH_RETENTION_WINDOW_S (default 30);
 * alternating them shows how far the shared machine drifts on its own.
 *
 * Sweepers: one more conversation and one more events replica with `RETENTION_SWEEP_INTERVAL_MS=1000`,
 * spawned BEFORE the warm-up, so every window runs with the same replicas (each also takes its share of the
 * chat traffic in the NATS queue groups) and no replica's start-up falls into a window; without retention
 * their passes find no policy. The stack's own replicas run the default 1 h interval: their first pass
 * (≤ 30 s after their start, so before run()) finds no retention set (the bench waits until 32 s after its
 * start before the first PATCH), and the next is an hour later.
 *
 * Probes, the same in every window (so their cost is too):
 * - pg_stat_user_tables.n_tup_del of the swept tables every 250 ms: rows deleted by kind, and when each
 *   backlog was gone (a backend reports its counts up to ~1 s late, so the end errs late by that much);
 * - pg_stat_activity every 100 ms: each sweep transaction (recognized by its statements) and its age, so the
 *   longest one seen (a lower bound: sampling), what the other backends of the database wait on, and whether
 *   a lock wait is on a sweep transaction (pg_blocking_pids);
 * - CPU by process (bench/cpu.js) as ms per second, this database's PostgreSQL backends apart, and the whole
 *   machine's busy share (/proc/stat: other people's work included).
 * Figures are reported, never asserted.
 */
const { randomUUID, randomBytes } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { cpus } = require('node:os');
const { Client } = require('pg');
const { poster } = require('./http');
const { createTestWidget } = require('@widget/testing');
const { visitor } = require('./visitor');
const { summarize, now } = require('./stats');
const { measureCpu, cpuMsOf } = require('./cpu');

const CONVERSATIONS = Number(process.env.BENCH_RETENTION_CONVERSATIONS ?? 100_000);
const MESSAGES_PER_CONVERSATION = 5;
const EVENTS = Number(process.env.BENCH_RETENTION_EVENTS ?? 2_000_000);
const VISITORS = Number(process.env.BENCH_RETENTION_VISITORS ?? 10);
const WINDOW_MS = Number(process.env.BENCH_RETENTION_WINDOW_S ?? 30) * 1000;
const WARMUP_MS = Number(process.env.BENCH_RETENTION_WARMUP_S ?? 20) * 1000;
/** Sends per second of all visitors together, paced; 0 (default): closed loops, as fast as the stack answers. */
const RATE = Number(process.env.BENCH_RETENTION_RATE ?? 0);
/** The seeded rows' last activity: 400 to 430 days ago. */
const AGE_DAYS = 400;
const SPREAD_DAYS = 30;
const RETENTION = { conversationDays: 365, eventDays: 365, attachmentDays: 365 };
/** The stack's replicas make their first retention pass at most 30 s after they start; retention is set later. */
const FIRST_PASS_MAX_MS = 30_000;
const SWEEPER_ENV = { RETENTION_SWEEP_INTERVAL_MS: '1000' };
const DRAIN_TIMEOUT_MS = 600_000;
const ACTIVITY_EVERY_MS = 100;
const COUNTS_EVERY_MS = 250;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (v, d = 2) => (Number.isFinite(v) ? Math.round(v * 10 ** d) / 10 ** d : null);
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const DIGIT = (shift) => `substr('${CROCKFORD}', ((v >> ${shift}) & 31)::int + 1, 1)`;
/**
 * Session-local helpers: ids of the services' shape (prefix, `_`, a 26-character ULID: 10 characters of
 * milliseconds, then 16 of "randomness": 4 of a per-run salt and 12 decimal digits of a sequence number,
 * digits being Crockford base-32 characters too). Single expressions, so PostgreSQL inlines them (an
 * aggregate over generate_series per id made seeding 15 times slower).
 */
const SEED_FUNCTIONS = `
  CREATE OR REPLACE FUNCTION pg_temp.b32time(v bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT ${[45, 40, 35, 30, 25, 20, 15, 10, 5, 0].map(DIGIT).join(' || ')}
  $$;
  CREATE OR REPLACE FUNCTION pg_temp.ulid(prefix text, at timestamptz, salt text, n bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT prefix || '_' || pg_temp.b32time((extract(epoch FROM at) * 1000)::bigint) || salt || lpad(n::text, 12, '0')
  $$;`;

/** Writes the old backlog; returns the seconds each part took. */
async function seed(db, widget, conversations, events) {
  const salt = Array.from(randomBytes(4), (b) => CROCKFORD[b & 31]).join('');
  const took = {};
  const step = async (name, sql, params = []) => {
    const t0 = now();
    await db.query(sql, params);
    took[name] = round((now() - t0) / 1000);
  };
  await db.query(SEED_FUNCTIONS);
  // One row per old conversation: its start (t), ids and owner. A quarter are an identified user's.
  await step(
    'plan',
    `CREATE TEMP TABLE seed_conv AS
       SELECT i, t,
              pg_temp.ulid('conv', t, $1::text, i) AS id,
              pg_temp.ulid('ses', t - interval '2 minutes', $1, i) AS session_id,
              CASE WHEN i % 4 = 0 THEN pg_temp.ulid('usr', t - interval '3 minutes', $1, i) END AS user_id,
              pg_temp.ulid('msg', t + interval '4 minutes', $1, i * 5 + 4) AS read_id,
              pg_temp.ulid('msg', t + interval '5 minutes', $1, i * 5 + 5) AS last_id,
              CASE WHEN i % 10 = 0 THEN pg_temp.ulid('att', t + interval '50 seconds', $1, i) END AS attachment_id
         FROM (SELECT i, now() - make_interval(days => $2::int + $3::int) + (i::float8 / $4::int) * make_interval(days => $3::int) AS t
                 FROM generate_series(1, $4::int) AS i) s`,
    [salt, AGE_DAYS, SPREAD_DAYS, conversations],
  );
  await step(
    'conversations',
    `INSERT INTO conversation.conversations
       (id, workspace_id, widget_id, session_id, user_id, subject, status, tags, custom_fields, metadata,
        assignee_id, assignee_name, last_message_id, last_read_message_id, unread_count, created_at, updated_at)
     SELECT id, $1, $2, session_id, user_id, 'Order question ' || i,
            CASE WHEN i % 10 < 6 THEN 'resolved' WHEN i % 10 < 9 THEN 'closed' ELSE 'open' END,
            CASE WHEN i % 3 = 0 THEN ARRAY['billing'] ELSE '{}'::text[] END, '{}'::jsonb,
            jsonb_build_object('page', '/orders/' || i), 'agent_' || i % 5, 'Agent ' || i % 5,
            last_id, read_id, 0, t, t + interval '5 minutes'
       FROM seed_conv`,
    [widget.workspaceId, widget.widgetId],
  );
  // Visitor (k = 1, 3, 5) and agent (k = 2, 4) messages, k minutes after the start; the visitor read up to the last agent reply.
  await step(
    'messages',
    `INSERT INTO conversation.messages
       (id, conversation_id, author_type, author_id, author_name, text, client_message_id, created_at, metadata, attachments)
     SELECT pg_temp.ulid('msg', s.t + k * interval '1 minute', $1, s.i * 5 + k), s.id,
            CASE WHEN k % 2 = 1 THEN 'user' ELSE 'agent' END,
            CASE WHEN k % 2 = 1 THEN coalesce(s.user_id, s.session_id) ELSE 'agent_' || s.i % 5 END,
            CASE WHEN k % 2 = 1 THEN NULL ELSE 'Agent ' || s.i % 5 END,
            CASE WHEN k % 2 = 1 THEN 'Hello, my order #' || s.i || ' has not arrived yet, could you check where it is? It was due last week.'
                 ELSE 'Thanks for writing in! I am looking at order #' || s.i || ' now and will get back to you in a minute.' END,
            CASE WHEN k % 2 = 1 THEN md5(s.id || ':' || k)::uuid::text END,
            s.t + k * interval '1 minute', '{}'::jsonb,
            CASE WHEN k = 1 AND s.attachment_id IS NOT NULL
                 THEN jsonb_build_array(jsonb_build_object('id', s.attachment_id, 'name', 'receipt-' || s.i || '.png', 'contentType', 'image/png', 'size', 8192))
                 ELSE '[]'::jsonb END
       FROM seed_conv s CROSS JOIN generate_series(1, $2::int) AS k`,
    [salt, MESSAGES_PER_CONVERSATION],
  );
  await step(
    'attachments',
    `INSERT INTO conversation.attachments
       (id, workspace_id, conversation_id, uploader_kind, uploader_session_id, name, content_type, size, chunks, inline, status, storage, message_id, created_at, sent_at)
     SELECT attachment_id, $1, id, 'visitor', session_id, 'receipt-' || i || '.png', 'image/png', 8192, 1, true, 'ready', 'postgres',
            pg_temp.ulid('msg', t + interval '1 minute', $2, i * 5 + 1), t + interval '50 seconds', t + interval '1 minute'
       FROM seed_conv WHERE attachment_id IS NOT NULL`,
    [widget.workspaceId, salt],
  );
  await step(
    'attachment_chunks',
    `INSERT INTO conversation.attachment_chunks (attachment_id, seq, data)
     SELECT attachment_id, 0, decode(repeat(md5(attachment_id), 512), 'hex') FROM seed_conv WHERE attachment_id IS NOT NULL`,
  );
  // Month partitions for the old rows, as the service's maintenance made them at the time.
  await step(
    'event_partitions',
    `SELECT events.ensure_partitions((now() - make_interval(days => $1::int + $2::int + 1))::date, (now() - make_interval(days => $1::int - 1))::date)`,
    [AGE_DAYS, SPREAD_DAYS],
  );
  // The conversations' lifecycle facts, as the events service records them (facts of a user's conversations carry no session).
  const facts = Math.min(events, conversations * 5);
  await step(
    'events_lifecycle',
    `INSERT INTO events.events (workspace_id, event_id, type, occurred_at, received_at, widget_id, session_id, source, properties)
     SELECT $1, f.type || ':' || f.key, f.type, f.at, f.at + interval '20 milliseconds', f.widget_id, f.session_id, 'system', f.properties
       FROM (
         SELECT s.i * 5 + k AS n, x.*
           FROM seed_conv s CROSS JOIN generate_series(1, 5) AS k
           CROSS JOIN LATERAL (
             SELECT CASE k WHEN 1 THEN 'widget.session_started' WHEN 2 THEN 'widget.conversation_started' ELSE 'widget.message_sent' END AS type,
                    CASE k WHEN 1 THEN s.session_id WHEN 2 THEN s.id
                           ELSE pg_temp.ulid('msg', s.t + (2 * k - 5) * interval '1 minute', $3, s.i * 5 + 2 * k - 5) END AS key,
                    CASE k WHEN 1 THEN s.t - interval '2 minutes' WHEN 2 THEN s.t ELSE s.t + (2 * k - 5) * interval '1 minute' END AS at,
                    CASE WHEN k = 1 THEN $2 END AS widget_id,
                    CASE WHEN k = 1 OR s.user_id IS NULL THEN s.session_id END AS session_id,
                    CASE k WHEN 1 THEN jsonb_build_object('identityType', CASE WHEN s.user_id IS NULL THEN 'anonymous' ELSE 'identified' END)
                           WHEN 2 THEN jsonb_build_object('conversationId', s.id, 'userId', s.user_id)
                           ELSE jsonb_build_object('conversationId', s.id, 'messageId',
                                  pg_temp.ulid('msg', s.t + (2 * k - 5) * interval '1 minute', $3, s.i * 5 + 2 * k - 5), 'userId', s.user_id) END AS properties
           ) x
       ) f
      ORDER BY f.n LIMIT $4`,
    [widget.workspaceId, widget.widgetId, salt, facts],
  );
  // The rest: client events of those sessions (page views, clicks), spread over the same days.
  await step(
    'events_client',
    `INSERT INTO events.events (workspace_id, event_id, type, occurred_at, received_at, widget_id, session_id, source, properties)
     SELECT $1, pg_temp.ulid('evt', e.at, $3, j), (ARRAY['page_view', 'button_click', 'search', 'cart.add'])[1 + j % 4], e.at, e.at + interval '150 milliseconds',
            $2, s.session_id, 'client', jsonb_build_object('path', '/p/' || j % 500, 'ref', 'seed')
       FROM generate_series(1, $4::int) AS j
       JOIN seed_conv s ON s.i = 1 + j % $5::int
      CROSS JOIN LATERAL (SELECT s.t + (j % 600) * interval '1 second' AS at) e`,
    [widget.workspaceId, widget.widgetId, salt, Math.max(0, events - facts), conversations],
  );
  const t0 = now();
  for (const table of ['conversation.conversations', 'conversation.messages', 'conversation.attachments', 'conversation.attachment_chunks', 'events.events']) {
    await db.query(`VACUUM (ANALYZE) ${table}`);
  }
  took.vacuum_analyze = round((now() - t0) / 1000);
  await db.query('DROP TABLE seed_conv');
  return took;
}

/** Old rows left, counted exactly (cut-off: the retention's 365 days). */
async function oldCounts(db, workspaceId) {
  const days = RETENTION.conversationDays;
  const { rows } = await db.query(
    `SELECT (SELECT count(*) FROM conversation.conversations WHERE workspace_id = $1 AND updated_at < now() - make_interval(days => $2))::int AS conversations,
            (SELECT count(*) FROM conversation.messages m JOIN conversation.conversations c ON c.id = m.conversation_id
              WHERE c.workspace_id = $1 AND c.updated_at < now() - make_interval(days => $2))::int AS messages,
            (SELECT count(*) FROM conversation.attachments WHERE workspace_id = $1 AND created_at < now() - make_interval(days => $2))::int AS attachments,
            (SELECT count(*) FROM events.events WHERE workspace_id = $1 AND occurred_at < now() - make_interval(days => $2))::int AS events`,
    [workspaceId, days],
  );
  return rows[0];
}

/** Cumulative deletes of the swept tables (pg_stat_user_tables; a backend reports its counts at most ~1 s late). */
async function deleteCounters(db) {
  const { rows } = await db.query(
    `SELECT CASE WHEN schemaname = 'events' THEN 'events' ELSE relname END AS kind, sum(n_tup_del)::bigint AS n
       FROM pg_stat_user_tables
      WHERE (schemaname = 'conversation' AND relname IN ('conversations', 'messages', 'attachments', 'attachment_chunks'))
         OR (schemaname = 'events' AND relname LIKE 'events\\_%')
      GROUP BY 1`,
  );
  const out = { conversations: 0, messages: 0, attachments: 0, attachment_chunks: 0, events: 0 };
  for (const r of rows) out[r.kind] = Number(r.n);
  return out;
}

/** The sweepers' statements (privacy.repository.ts of each service); nothing on the chat path looks like them. */
function sweepKind(query) {
  if (/WITH gone AS \(\s*DELETE FROM events\./.test(query)) return 'events';
  if (/make_interval\(days => \$2\)/.test(query) && /conversation\.(conversations|attachments)/.test(query)) return 'conversations';
  if (/DELETE FROM conversation\.(messages|conversations|attachments a|attachment_chunks) WHERE (conversation_id|id|a\.conversation_id|attachment_id) = ANY/.test(query))
    return 'conversations';
  return null;
}

/** Whole-machine CPU (every process, other people's included) from /proc/stat. */
function machineCpu() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + (fields[4] ?? 0);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle, total };
}

/**
 * Probes for one window: n_tup_del every 250 ms, pg_stat_activity every 100 ms. stop() returns what they saw;
 * times are bench-clock ms (now()).
 */
function observe(counterDb, activityDb) {
  let active = true;
  const timeline = [];
  const transactions = new Map();
  const waits = {};
  let activitySamples = 0;
  let lockWaitSamples = 0;
  let lockWaitOnSweeperSamples = 0;
  // A probe that fails (say, its connection was ended) stops; stop() then throws its error.
  let failure;
  const failed = (err) => {
    active = false;
    failure ??= err;
  };
  const countsLoop = (async () => {
    while (active) {
      const t0 = now();
      timeline.push({ t: t0, ...(await deleteCounters(counterDb)) });
      await sleep(Math.max(0, COUNTS_EVERY_MS - (now() - t0)));
    }
  })().catch(failed);
  const activityLoop = (async () => {
    while (active) {
      const t0 = now();
      const { rows } = await activityDb.query(
        `SELECT pid, state, wait_event_type, wait_event, xact_start::text AS xact_start,
                extract(epoch FROM now() - xact_start) * 1000 AS xact_ms, left(query, 400) AS query,
                CASE WHEN wait_event_type = 'Lock' THEN pg_blocking_pids(pid) END AS blockers
           FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle' AND backend_type = 'client backend'`,
      );
      const t = now();
      activitySamples++;
      let lockWait = false;
      let onSweeper = false;
      const sweepPids = new Set(rows.filter((r) => sweepKind(r.query)).map((r) => r.pid));
      for (const r of rows) {
        const kind = sweepKind(r.query);
        if (kind && r.xact_start) {
          const key = `${r.pid}:${r.xact_start}`;
          const seen = transactions.get(key) ?? { kind, firstSeen: t, maxAgeMs: 0, states: {} };
          seen.lastSeen = t;
          seen.maxAgeMs = Math.max(seen.maxAgeMs, Number(r.xact_ms));
          const state = r.wait_event_type ? `${r.state}:${r.wait_event_type}:${r.wait_event}` : r.state;
          seen.states[state] = (seen.states[state] ?? 0) + 1;
          transactions.set(key, seen);
        } else if (r.wait_event_type && r.wait_event_type !== 'Client') {
          const name = `${r.wait_event_type}:${r.wait_event}`;
          waits[name] = (waits[name] ?? 0) + 1;
          if (r.wait_event_type === 'Lock') lockWait = true;
          if ((r.blockers ?? []).some((pid) => sweepPids.has(pid))) onSweeper = true;
        }
      }
      if (lockWait) lockWaitSamples++;
      if (onSweeper) lockWaitOnSweeperSamples++;
      await sleep(Math.max(0, ACTIVITY_EVERY_MS - (now() - t0)));
    }
  })().catch(failed);
  return {
    async stop() {
      active = false;
      await Promise.all([countsLoop, activityLoop]);
      if (failure) throw failure;
      timeline.push({ t: now(), ...(await deleteCounters(counterDb)) });
      return { timeline, transactions: [...transactions.values()], waits, activitySamples, lockWaitSamples, lockWaitOnSweeperSamples };
    },
  };
}

/**
 * A loop that runs `step(i)` until `until`: back to back (closed loop), or, with `everyMs`, started on a fixed
 * schedule (a late step starts at once, and the schedule does not try to catch up).
 */
async function loop(until, everyMs, offsetMs, step) {
  let next = now() + offsetMs;
  for (let i = 0; now() < until; i++) {
    if (everyMs) {
      if (next > now()) await sleep(next - now());
      if (now() >= until) break;
      next = Math.max(next + everyMs, now());
    }
    await step(i);
  }
}

/**
 * Runs the chat load for `ms`: every visitor sends one message at a time, one operator replies in turn. Closed
 * loops by default; BENCH_RETENTION_RATE (sends per second, all visitors together) paces them instead, the
 * operator at a tenth of that.
 */
async function chat(lanes, post, adminKey, ms) {
  const until = now() + ms;
  const sends = [];
  const replies = [];
  const every = RATE ? (lanes.length * 1000) / RATE : 0;
  const visitorsLoop = lanes.map((lane, n) => loop(until, every, (every * n) / lanes.length, async (i) => sends.push(await lane.send(i))));
  const headers = { authorization: `Bearer ${adminKey}` };
  const operatorLoop = loop(until, RATE ? 10_000 / RATE : 0, 0, async (i) => {
    const lane = lanes[i % lanes.length];
    const text = `operator reply ${randomUUID()}`;
    const delivered = lane.expect(text);
    const started = now();
    const res = await post(`/admin/v1/conversations/${lane.conversationId}/messages`, { text, author: { id: 'agent_bench', name: 'Bench' } }, headers);
    const replied = now();
    if (res.status !== 201) throw new Error(`operator reply failed: ${res.status} ${res.text}`);
    const at = await delivered;
    if (Number.isNaN(at)) throw new Error('operator reply not delivered within 10 s');
    replies.push({ t: started, http: replied - started, e2e: at - started });
  });
  await Promise.all([...visitorsLoop, operatorLoop]);
  return { sends, replies };
}

/** The figures of one window. */
function windowFigures(name, seconds, load, seen, cpuPerSecond, machineBusy) {
  const first = seen.timeline[0];
  const last = seen.timeline[seen.timeline.length - 1];
  const deleted = Object.fromEntries(Object.keys(first).filter((k) => k !== 't').map((k) => [k, last[k] - first[k]]));
  return {
    window: name,
    seconds: round(seconds, 1),
    visitorSends: load.sends.length,
    sendsPerSecond: round(load.sends.length / seconds, 1),
    sendHttpMs: summarize(load.sends.map((s) => s.http)),
    sendToSocketMs: summarize(load.sends.map((s) => s.e2e)),
    operatorReplies: load.replies.length,
    operatorReplyToVisitorSocketMs: summarize(load.replies.map((s) => s.e2e)),
    deleted,
    sweepTransactionsSeen: seen.transactions.length,
    // Samples in which another backend waited on a lock; of those, waited on a sweep transaction (pg_blocking_pids).
    lockWaitSamples: `${seen.lockWaitSamples} of ${seen.activitySamples}`,
    lockWaitOnSweeperSamples: seen.lockWaitOnSweeperSamples,
    otherBackendsWaits: seen.waits,
    cpuMsPerSecond: cpuPerSecond,
    machineBusyShare: machineBusy,
  };
}

/**
 * When each kind's backlog was gone, from the counters' timeline: the first sample at which the kind's deletes
 * since the window's start reached what was seeded (counters come up to ~1 s late, so this errs late by ≤ 1.25 s).
 */
function deletionEnds(timeline, seeded) {
  const ends = {};
  for (const kind of Object.keys(seeded)) {
    const hit = timeline.find((x) => x[kind] - timeline[0][kind] >= seeded[kind]);
    ends[kind] = hit ? hit.t : null;
  }
  return ends;
}

/** Sweep transactions of a kind seen in pg_stat_activity within [from, to]. */
function transactionFigures(transactions, kind, from, to) {
  const txs = transactions.filter((x) => x.kind === kind && x.lastSeen >= from && x.firstSeen <= to);
  if (txs.length === 0) return { seen: 0 };
  const longest = txs.reduce((a, b) => (b.maxAgeMs > a.maxAgeMs ? b : a));
  const ages = txs.map((x) => x.maxAgeMs);
  return { seen: txs.length, longestSeenMs: round(longest.maxAgeMs, 1), longestSeenStates: longest.states, medianSeenAgeMs: round(summarize(ages).p50, 1) };
}

/**
 * CPU of this stack's PostgreSQL backends (pids of this database in pg_stat_activity, read from /proc): the
 * machine-wide `postgres` of bench/cpu.js also counts other stacks' backends, and goes wrong when they exit.
 */
async function databaseCpu(db) {
  const { rows } = await db.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  return new Map(rows.map((r) => [r.pid, cpuMsOf(r.pid)]));
}

/**
 * What one sweep pass costs once a backlog is gone, measured with the sweepers' own queries (EXPLAIN ANALYZE, in
 * a transaction rolled back): the conversation batch's SELECT, and the events batch's SELECT on each partition a
 * pass visits. Deleted rows stay in the indexes until VACUUM, and every pass walks them from the oldest end.
 */
async function idlePassCost(db, workspaceId) {
  const ws = db.escapeLiteral(workspaceId);
  const plan = async (sql) => {
    const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`);
    const top = rows[0]['QUERY PLAN'][0];
    return { ms: top['Execution Time'], buffers: top.Plan['Shared Hit Blocks'] + top.Plan['Shared Read Blocks'] };
  };
  await db.query('BEGIN');
  try {
    const conversations = await plan(
      `SELECT id FROM conversation.conversations WHERE workspace_id = ${ws} AND updated_at < now() - make_interval(days => ${RETENTION.conversationDays})
        ORDER BY updated_at LIMIT 200 FOR UPDATE SKIP LOCKED`,
    );
    const cutoff = Date.now() - RETENTION.eventDays * 86_400_000;
    const { rows: parts } = await db.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events.events'::regclass`,
    );
    const events = { ms: 0, buffers: 0, partitions: 0 };
    for (const { name } of parts) {
      const m = /^events_(\d{4})(\d{2})$/.exec(name);
      if (m && Date.UTC(Number(m[1]), Number(m[2]) - 1, 1) >= cutoff) continue;
      const one = await plan(
        `SELECT ctid FROM events.${db.escapeIdentifier(name)} WHERE workspace_id = ${ws} AND occurred_at < to_timestamp(${cutoff / 1000})
          ORDER BY occurred_at LIMIT 5000 FOR UPDATE SKIP LOCKED`,
      );
      events.ms += one.ms;
      events.buffers += one.buffers;
      events.partitions++;
    }
    events.ms = round(events.ms);
    return { conversations: { ms: round(conversations.ms), buffers: conversations.buffers }, events };
  } finally {
    await db.query('ROLLBACK');
  }
}

const SWEPT_TABLES = ['conversation.conversations', 'conversation.messages', 'conversation.attachments', 'conversation.attachment_chunks', 'events.events'];

/** Rows deleted per second in consecutive slices of the window (does the sweep slow down as it goes?). */
function ratesBySlice(timeline, kind, from, sliceMs = 5000) {
  const out = [];
  let start = timeline.find((x) => x.t >= from) ?? timeline[0];
  for (const x of timeline) {
    if (x.t - start.t >= sliceMs) {
      out.push(Math.round(((x[kind] - start[kind]) * 1000) / (x.t - start.t)));
      start = x;
    }
  }
  return out;
}

const NO_RETENTION = { conversationDays: null, eventDays: null, attachmentDays: null };
const ROUNDS = Number(process.env.BENCH_RETENTION_ROUNDS ?? 2);
/** After a backlog is gone, counters are given this long to catch up before the next window. */
const SETTLE_MS = 3000;

module.exports = {
  name: 'retention',
  async run({ stack, log }) {
    const startedAt = Date.now();
    const widget = await createTestWidget(stack);
    const db = new Client({ connectionString: stack.databaseUrl });
    const activityDb = new Client({ connectionString: stack.databaseUrl });
    // A connection ended from outside (the database dropped under a shared server) must fail the bench, not
    // crash the process: an unhandled 'error' would skip run.js's stack.stop() and leave the stack running.
    for (const client of [db, activityDb]) client.on('error', (err) => log(`bench database connection lost: ${err.message}`));
    await db.connect();
    await activityDb.connect();
    const post = poster(stack.baseUrl, VISITORS * 2 + 2);
    const lanes = [];
    let sweepers = [];
    const setRetention = async (retention) => {
      const res = await widget.admin.patch(`/workspaces/${widget.workspaceId}`, { retention });
      if (res.status !== 200) throw new Error(`retention patch failed: ${res.status} ${res.text}`);
    };
    try {
      // Sweepers first (idle until retention is set), so their start-up is in no window and every window has the same replicas.
      sweepers = [await stack.spawn('conversation', SWEEPER_ENV), await stack.spawn('events', SWEEPER_ENV)];
      for (let i = 0; i < VISITORS; i++) lanes.push(await visitor(widget, post, stack.baseUrl));
      await chat(lanes, post, stack.adminKey, WARMUP_MS);

      /** One window of chat load with the probes on; `atStart` runs as the load starts. */
      const measure = async (name, atStart) => {
        const cpu = measureCpu(stack);
        const dbCpu0 = await databaseCpu(db);
        const machine0 = machineCpu();
        const seen = observe(db, activityDb);
        const t0 = now();
        // Its error (if any) is taken at once and thrown after the window: a rejection left unhandled that long would end the process.
        const started = atStart ? atStart().then(() => undefined, (err) => err) : undefined;
        const load = await chat(lanes, post, stack.adminKey, WINDOW_MS);
        const t1 = now();
        const seconds = (t1 - t0) / 1000;
        const observed = await seen.stop();
        const startError = await started;
        if (startError) throw startError;
        const machine1 = machineCpu();
        const dbCpu1 = await databaseCpu(db);
        const cpuPerSecond = Object.fromEntries(
          Object.entries(cpu.end(seconds))
            .filter(([k]) => k !== 'postgres' && k !== 'total')
            .map(([k, v]) => [k, Math.round(v)]),
        );
        let dbMs = 0;
        for (const [pid, ms] of dbCpu1) dbMs += ms - (dbCpu0.get(pid) ?? 0);
        cpuPerSecond['postgres (this db)'] = Math.round(dbMs / seconds);
        cpuPerSecond.total = Object.values(cpuPerSecond).reduce((a, b) => a + b, 0);
        const machineBusy = round(1 - (machine1.idle - machine0.idle) / (machine1.total - machine0.total));
        // What the rest of the machine (other people's tests) used meanwhile, roughly: busy share × cores − this stack and bench.
        cpuPerSecond['others on the machine (approx.)'] = Math.max(0, Math.round(machineBusy * cpus().length * 1000 - cpuPerSecond.total));
        const window = { figures: windowFigures(name, seconds, load, observed, cpuPerSecond, machineBusy), load, observed, t0, t1 };
        log(JSON.stringify(window.figures));
        return window;
      };
      const drain = async () => {
        const start = now();
        let left = await oldCounts(db, widget.workspaceId);
        while (Object.values(left).some((n) => n > 0) && now() - start < DRAIN_TIMEOUT_MS) {
          await sleep(500);
          left = await oldCounts(db, widget.workspaceId);
        }
        const seconds = round((now() - start) / 1000, 1);
        // The sweepers (every second) have walked the dead rows by now; what a pass costs before and after the
        // VACUUM (ANALYZE) that autovacuum (off here) would make after such a delete.
        const idlePass = await idlePassCost(db, widget.workspaceId);
        const t0 = now();
        for (const table of SWEPT_TABLES) await db.query(`VACUUM (ANALYZE) ${table}`);
        const vacuumSeconds = round((now() - t0) / 1000, 1);
        const idlePassAfterVacuum = await idlePassCost(db, widget.workspaceId);
        await sleep(SETTLE_MS);
        return { drainedUnloadedS: seconds, idlePass, vacuumSeconds, idlePassAfterVacuum };
      };

      // Rounds of: a fresh backlog, a baseline window (no retention set), a window right after setting retention.
      const rounds = [];
      for (let r = 1; r <= ROUNDS; r++) {
        await setRetention(NO_RETENTION);
        log(`round ${r}: seeding ${CONVERSATIONS} conversations × ${MESSAGES_PER_CONVERSATION} messages and ${EVENTS} events, ${AGE_DAYS}–${AGE_DAYS + SPREAD_DAYS} days old`);
        const seedSeconds = await seed(db, widget, CONVERSATIONS, EVENTS);
        const seeded = await oldCounts(db, widget.workspaceId);
        log(JSON.stringify({ round: r, seeded, seedSeconds }));

        const baseline = await measure(`baseline ${r}`);
        if (Object.values(baseline.figures.deleted).some((n) => n > 0)) log(`WARNING: rows were deleted during baseline ${r}`);
        // The stack's own replicas made their first pass (≤ 30 s after their start, before run()) while no retention was set.
        const wait = FIRST_PASS_MAX_MS + 2000 - (Date.now() - startedAt);
        if (wait > 0) await sleep(wait);

        let patchedAt;
        const sweep = await measure(`sweep ${r}`, () => {
          patchedAt = now();
          return setRetention(RETENTION);
        });
        const leftAfterWindow = await oldCounts(db, widget.workspaceId);
        const drained = await drain();
        log(JSON.stringify({ round: r, leftAfterWindow, ...drained }));

        // While deleting: from the PATCH to the moment the last kind's backlog was gone (or the window's end).
        const ends = deletionEnds(sweep.observed.timeline, seeded);
        const tl = sweep.observed.timeline;
        const deletion = {};
        for (const kind of Object.keys(seeded)) {
          const end = ends[kind] ?? sweep.t1;
          const deletedInWindow = tl[tl.length - 1][kind] - tl[0][kind];
          const seconds = (end - patchedAt) / 1000;
          deletion[kind] = {
            seeded: seeded[kind],
            deletedInWindow,
            doneWithinWindow: ends[kind] !== null,
            secondsFromPatch: round(seconds, 1),
            rowsPerSecond: seconds > 0 ? Math.round(deletedInWindow / seconds) : null,
            rowsPerSecondBy5s: ratesBySlice(tl, kind, patchedAt),
          };
        }
        const deletingUntil = Math.min(sweep.t1, Math.max(...Object.keys(seeded).map((k) => ends[k] ?? sweep.t1)));
        const during = sweep.load.sends.filter((x) => x.t >= patchedAt && x.t <= deletingUntil);
        const duringReplies = sweep.load.replies.filter((x) => x.t >= patchedAt && x.t <= deletingUntil);
        const whileDeleting = {
          seconds: round((deletingUntil - patchedAt) / 1000, 1),
          visitorSends: during.length,
          sendsPerSecond: round(during.length / ((deletingUntil - patchedAt) / 1000), 1),
          sendHttpMs: summarize(during.map((x) => x.http)),
          sendToSocketMs: summarize(during.map((x) => x.e2e)),
          operatorReplyToVisitorSocketMs: summarize(duringReplies.map((x) => x.e2e)),
        };
        const sweepTransactions = {
          // A conversation batch is one transaction (SELECT … FOR UPDATE SKIP LOCKED, then the DELETEs); an events batch one statement.
          conversations: {
            meanBatchMs: round((deletion.conversations.secondsFromPatch * 1000) / Math.ceil(deletion.conversations.deletedInWindow / 200), 1),
            ...transactionFigures(sweep.observed.transactions, 'conversations', patchedAt, ends.conversations ?? sweep.t1),
          },
          events: {
            meanBatchMs: round((deletion.events.secondsFromPatch * 1000) / Math.ceil(deletion.events.deletedInWindow / 5000), 1),
            ...transactionFigures(sweep.observed.transactions, 'events', patchedAt, ends.events ?? sweep.t1),
          },
        };
        rounds.push({ round: r, seeded, seedSeconds, baseline, sweep, whileDeleting, deletion, sweepTransactions, leftAfterWindow, drained });
      }
      // The last control: retention still set, backlog gone (the sweepers pass every second and find nothing).
      const after = await measure('after');

      const baselines = [...rounds.map((x) => x.baseline), after];
      const ratios = (what, set, base) => ({
        p50: round(set[what].p50 / base[what].p50),
        p95: round(set[what].p95 / base[what].p95),
        p99: round(set[what].p99 / base[what].p99),
      });
      const ratioSet = (set, base) => ({
        sendHttp: ratios('sendHttpMs', set, base),
        sendToSocket: ratios('sendToSocketMs', set, base),
        operatorReply: ratios('operatorReplyToVisitorSocketMs', set, base),
        throughput: round(set.sendsPerSecond / base.sendsPerSecond),
      });
      return {
        visitors: VISITORS,
        load: RATE ? `paced: ${RATE} sends/s, operator ${RATE / 10}/s` : 'closed loops',
        windowSeconds: WINDOW_MS / 1000,
        retention: RETENTION,
        sweeperReplicas: sweepers.map((a) => `${a.name} (RETENTION_SWEEP_INTERVAL_MS=${SWEEPER_ENV.RETENTION_SWEEP_INTERVAL_MS})`),
        rounds: rounds.map((x, i) => ({
          round: x.round,
          seeded: x.seeded,
          seedSeconds: x.seedSeconds,
          baseline: x.baseline.figures,
          sweep: x.sweep.figures,
          whileDeleting: x.whileDeleting,
          deletion: x.deletion,
          sweepTransactions: x.sweepTransactions,
          leftAfterWindow: x.leftAfterWindow,
          ...x.drained,
          // The deleting part of the sweep window against the baselines on either side of it.
          whileDeletingVsBaselineBefore: ratioSet(x.whileDeleting, x.baseline.figures),
          whileDeletingVsBaselineAfter: ratioSet(x.whileDeleting, baselines[i + 1].figures),
        })),
        after: after.figures,
        idleSweepPassesInAfterWindow: {
          conversations: transactionFigures(after.observed.transactions, 'conversations', -Infinity, Infinity),
          events: transactionFigures(after.observed.transactions, 'events', -Infinity, Infinity),
        },
      };
    } finally {
      lanes.forEach((l) => l.socket.close());
      // The benches after this one (`npm run bench`) share the stack: no 1 s sweepers left behind.
      await Promise.all(sweepers.map((a) => a.stop()));
      await db.end().catch(() => undefined);
      await activityDb.end().catch(() => undefined);
    }
  },
};
