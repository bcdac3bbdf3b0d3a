import { NatsBus } from '@widget/common';
import { EventsRpc, PersonKeys, SessionRpc } from '@widget/contracts';
import {
  createTestWidget,
  eraseThroughApi,
  harnessNatsEnv,
  harnessNatsOptions,
  privacyCallers,
  PrivacyCallers,
  queryDatabase,
  RunningApp,
  signIdentity,
  spawnApp,
  startAnonymous,
  testStack,
  TestWidget,
} from '@widget/testing';
import { connect, JSONCodec, NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

const stack = testStack();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rows filed under the person: their sessions, or (lifecycle facts of their conversations) their end user. */
const OF_PERSON = `workspace_id = $1 AND (session_id = ANY($2) OR (session_id IS NULL AND properties->>'userId' = ANY($3)))`;

async function eventsOf(person: PersonKeys): Promise<{ event_id: string; type: string; session_id: string | null }[]> {
  return queryDatabase(stack.databaseUrl, `SELECT event_id, type, session_id FROM events.events WHERE ${OF_PERSON} ORDER BY event_id`, [
    person.workspaceId,
    person.sessionIds,
    person.userIds,
  ]);
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(150);
  }
}

/**
 * SPEC §17, the events part: a person's analytics events (client events and
 * the lifecycle facts the services report, some of which carry no session
 * but the user) erased and exported. Asked over NATS as the processes that
 * ask: the session service erases, the gateway exports.
 */
describe('events: erase and export a person', () => {
  let widget: TestWidget;
  let callers: PrivacyCallers;
  let asSession: NatsBus;
  let asGateway: NatsBus;
  let erased: PersonKeys;
  let kept: PersonKeys;

  /**
   * Anonymous: two client events and session_started; identified (merging): one client event,
   * session_started and session_identified; a conversation as the user: conversation_started and
   * message_sent, which carry the user, not the session. 8 rows.
   */
  async function visitor(name: string, sub = `user-${randomUUID()}`): Promise<PersonKeys> {
    const anon = await startAnonymous(widget);
    const track = (token: string, n: number) =>
      widget.api.post('/events', { events: Array.from({ length: n }, (_, i) => ({ type: 'page_view', properties: { path: `/${name}/${i}` } })) }, { token });
    expect((await track(anon.token, 2)).body.accepted).toBe(2);
    const identified = await widget.api.post('/sessions/identify', { token: await signIdentity(widget, { sub }) }, { token: anon.token });
    expect(identified.status).toBe(200);
    const token = identified.body.token;
    expect((await track(token, 1)).body.accepted).toBe(1);
    expect((await widget.api.post('/conversations', { subject: 'Hi', message: `${name} here` }, { token })).status).toBe(201);
    const person = { workspaceId: widget.workspaceId, sessionIds: [anon.sessionId, identified.body.session.id], userIds: [identified.body.session.user.id] };
    await until(() => eventsOf(person), (rows) => rows.length >= 8, `${name}'s lifecycle facts`);
    return person;
  }

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    erased = await visitor('first');
    kept = await visitor('second');
    callers = await privacyCallers(stack);
    ({ asSession, asGateway } = callers);
  });
  afterAll(() => callers?.close());

  it('exports the person’s events, those filed under the user included, and only theirs', async () => {
    const chunk = await asGateway.send(EventsRpc.exportPerson, { person: erased });
    expect(chunk.nextCursor).toBeNull();
    const rows = chunk.data.events as Record<string, any>[];
    expect(rows).toHaveLength(8);
    expect(rows.map((r) => r.type).sort()).toEqual([
      'page_view',
      'page_view',
      'page_view',
      'widget.conversation_started',
      'widget.message_sent',
      'widget.session_identified',
      'widget.session_started',
      'widget.session_started',
    ]);
    expect(rows.find((r) => r.type === 'page_view')).toEqual({
      eventId: expect.stringMatching(/^evt_/),
      type: 'page_view',
      occurredAt: expect.any(String),
      receivedAt: expect.any(String),
      widgetId: widget.widgetId,
      sessionId: erased.sessionIds[0],
      source: 'client',
      properties: { path: '/first/0' },
    });
    expect(rows.find((r) => r.type === 'widget.message_sent')).toMatchObject({ sessionId: null, source: 'system', properties: { userId: erased.userIds[0] } });
    const times = rows.map((r) => Date.parse(r.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('erases the person’s events and their ids, none of another’s, and answers the same counts when asked again', async () => {
    const other = await createTestWidget(stack);
    const elsewhere = await asSession.send(EventsRpc.erasePerson, { erasureId: `era_${randomUUID()}`, person: { ...erased, workspaceId: other.workspaceId } });
    expect(elsewhere).toEqual({ erased: { events: 0, event_ids: 0 } });
    expect(await eventsOf(erased)).toHaveLength(8);
    const keptBefore = await eventsOf(kept);
    expect(keptBefore).toHaveLength(8);

    const erasureId = `era_${randomUUID()}`;
    const first = await asSession.send(EventsRpc.erasePerson, { erasureId, person: erased });
    // 3 client ids (scoped to their sessions) and 5 lifecycle ids in the de-duplication ledger.
    expect(first).toEqual({ erased: { events: 8, event_ids: 8 } });
    expect(await eventsOf(erased)).toEqual([]);
    const anyMention = await queryDatabase(
      stack.databaseUrl,
      `SELECT count(*)::int AS n FROM events.events WHERE workspace_id = $1 AND (session_id = ANY($2) OR properties->>'userId' = ANY($3) OR properties->>'fromSessionId' = ANY($2))`,
      [widget.workspaceId, erased.sessionIds, erased.userIds],
    );
    expect(anyMention).toEqual([{ n: 0 }]);
    const ids = await queryDatabase(
      stack.databaseUrl,
      `SELECT count(*)::int AS n FROM events.event_ids WHERE workspace_id = $1 AND (scope = ANY($2) OR event_id LIKE ANY($3))`,
      [widget.workspaceId, erased.sessionIds, erased.sessionIds.map((s) => `%${s}%`)],
    );
    expect(ids).toEqual([{ n: 0 }]);
    expect(await eventsOf(kept)).toEqual(keptBefore);

    expect(await asSession.send(EventsRpc.erasePerson, { erasureId, person: erased })).toEqual(first);
    const ledger = await queryDatabase(stack.databaseUrl, `SELECT workspace_id, erased FROM events.erasures_done WHERE erasure_id = $1`, [erasureId]);
    expect(ledger).toEqual([{ workspace_id: widget.workspaceId, erased: { events: 8, event_ids: 8 } }]);
    expect(await asGateway.send(EventsRpc.exportPerson, { person: erased })).toEqual({ data: { events: [] }, nextCursor: null });
  });

  it('pages a long history by 1000, each event once, and refuses a forged cursor', async () => {
    // 1500 events of one session, many sharing an instant (the order's ties are broken by id).
    const person = { workspaceId: widget.workspaceId, sessionIds: [`ses_page${randomUUID().replace(/-/g, '')}`], userIds: [] };
    await queryDatabase(
      stack.databaseUrl,
      `INSERT INTO events.events (workspace_id, event_id, type, occurred_at, session_id, source, properties)
       SELECT $1, 'p-' || g, 'page_view', date_trunc('second', now()) - (g % 7) * interval '1 minute', $2, 'client', jsonb_build_object('n', g)
         FROM generate_series(1, 1500) g`,
      [person.workspaceId, person.sessionIds[0]],
    );
    const first = await asGateway.send(EventsRpc.exportPerson, { person });
    expect(first.data.events).toHaveLength(1000);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await asGateway.send(EventsRpc.exportPerson, { person, cursor: first.nextCursor! });
    expect(second.data.events).toHaveLength(500);
    expect(second.nextCursor).toBeNull();
    const all = [...first.data.events, ...second.data.events] as { eventId: string; occurredAt: string }[];
    expect(new Set(all.map((e) => e.eventId)).size).toBe(1500);
    const order = all.map((e) => [Date.parse(e.occurredAt), e.eventId] as const);
    expect(order).toEqual([...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)));

    for (const cursor of ['nonsense', Buffer.from(JSON.stringify(["1' OR 1=1", 'x', 'y'])).toString('base64url')]) {
      await expect(asGateway.send(EventsRpc.exportPerson, { person, cursor })).rejects.toMatchObject({ code: 'validation_error', reason: 'invalid_cursor' });
    }
    expect(await asSession.send(EventsRpc.erasePerson, { erasureId: `era_${randomUUID()}`, person })).toEqual({ erased: { events: 1500, event_ids: 0 } });
  });

  it('finds a person’s events through an index every partition has', async () => {
    const index = await queryDatabase(
      stack.databaseUrl,
      `SELECT x.indisvalid AS valid, pg_get_indexdef(x.indexrelid) AS def FROM pg_index x WHERE x.indexrelid = 'events.events_person_idx'::regclass`,
    );
    expect(index).toEqual([{ valid: true, def: expect.stringContaining("COALESCE(session_id, (properties ->> 'userId'::text))") }]);
  });

  it('refuses a request without a person or an erasure id, and changes nothing', async () => {
    const bad = [{ erasureId: 'era_x' }, { erasureId: 'era_y', person: { ...kept, workspaceId: '' } }, { erasureId: 7, person: kept }];
    for (const request of bad) {
      await expect(asSession.send(EventsRpc.erasePerson, request as never)).rejects.toMatchObject({ code: 'validation_error' });
    }
    expect(await eventsOf(kept)).toHaveLength(8);
  });

  it('through the operator API: the export holds the events, and an erasure by the site’s user id deletes them', async () => {
    const sub = `ext-${randomUUID()}`;
    const third = await visitor('third', sub);
    const exported = await widget.admin.get(`/workspaces/${widget.workspaceId}/visitors/export?userId=${encodeURIComponent(sub)}`);
    expect(exported.status).toBe(200);
    const rows = exported.body.parts.events.flatMap((page: { events: unknown[] }) => page.events);
    expect(rows).toHaveLength(8);

    const erasure = await eraseThroughApi(widget.admin, widget.workspaceId, { userId: sub }, 'events');
    expect(erasure.parts.events).toMatchObject({ status: 'done', erased: { events: 8, event_ids: 8 } });
    expect(await eventsOf(third)).toEqual([]);
    expect(await eventsOf(kept)).toHaveLength(8);
  });
});

/**
 * SPEC §17 retention: two more events replicas, in a NATS namespace of their
 * own (so the spec plays the session service there), sweep every 300 ms in
 * batches of 7. The first sweeps find no session service and must carry on.
 */
describe('events: retention', () => {
  const prefix = `${stack.env.NATS_SUBJECT_PREFIX}retention${randomUUID().slice(0, 6)}.`;
  const DAY = 86_400_000;
  const HOUR = 3_600_000;
  let replicas: RunningApp[] = [];
  let nc: NatsConnection | undefined;
  let limited: TestWidget;
  let unlimited: TestWidget;

  /** Events of a workspace aged `ageMs`, straight into the table (the API accepts at most 30 days back). */
  async function seed(workspaceId: string, label: string, ageMs: number, n: number): Promise<void> {
    await queryDatabase(
      stack.databaseUrl,
      `INSERT INTO events.events (workspace_id, event_id, type, occurred_at, session_id, source, properties)
       SELECT $1, $2 || '-' || g, 'page_view', now() - ($3::bigint * interval '1 millisecond'), 'ses_retention', 'client', '{}' FROM generate_series(1, $4::int) g`,
      [workspaceId, label, ageMs, n],
    );
  }

  const counts = async (workspaceId: string): Promise<Record<string, number>> => {
    const rows: { label: string; n: number }[] = await queryDatabase(
      stack.databaseUrl,
      `SELECT split_part(event_id, '-', 1) AS label, count(*)::int AS n FROM events.events WHERE workspace_id = $1 GROUP BY 1`,
      [workspaceId],
    );
    return Object.fromEntries(rows.map((r) => [r.label, r.n]));
  };

  beforeAll(async () => {
    [limited, unlimited] = await Promise.all([createTestWidget(stack), createTestWidget(stack)]);
    for (const w of [limited, unlimited]) {
      // Older than 100 days (the default partition), 30 days, just past the 10-day limit, just inside it, and recent.
      await seed(w.workspaceId, 'd100', 100 * DAY, 9);
      // Enough rows (430 batches of 7) that both replicas are sweeping at once.
      await seed(w.workspaceId, 'd30', 30 * DAY, 3000);
      await seed(w.workspaceId, 'd10past', 10 * DAY + HOUR, 9);
      await seed(w.workspaceId, 'd10inside', 10 * DAY - HOUR, 4);
      await seed(w.workspaceId, 'd1', DAY, 4);
    }
  });
  afterAll(async () => {
    await nc?.close();
    await Promise.all(replicas.map((r) => r.stop()));
    await queryDatabase(stack.databaseUrl, `DELETE FROM events.events WHERE workspace_id = ANY($1)`, [[limited?.workspaceId, unlimited?.workspaceId]]);
  });

  it('deletes exactly what is older than eventDays in that workspace, with two replicas sweeping, and nothing elsewhere', async () => {
    const env = { NATS_SUBJECT_PREFIX: prefix, RETENTION_SWEEP_INTERVAL_MS: '300', RETENTION_SWEEP_BATCH_ROWS: '7', ...harnessNatsEnv(stack) };
    replicas = await Promise.all([spawnApp(stack, 'events', env), spawnApp(stack, 'events', env)]);

    // No session service answers in this namespace yet: the sweeps log it and nothing is deleted.
    await until(
      async () => replicas.map((r) => readFileSync(r.logFile, 'utf8').includes('retention policies unavailable')),
      (seen) => seen.every(Boolean),
      'a logged failed sweep',
    );
    expect(await counts(limited.workspaceId)).toEqual({ d100: 9, d30: 3000, d10past: 9, d10inside: 4, d1: 4 });

    // Now the spec answers for the session service: one workspace keeps events 10 days, the other has no limit.
    nc = await connect(harnessNatsOptions(stack));
    const codec = JSONCodec();
    let asked = 0;
    nc.subscribe(SessionRpc.retentionPolicies.subject.replace(stack.env.NATS_SUBJECT_PREFIX, prefix), {
      callback: (_err, msg) => {
        asked++;
        const policies = [
          { workspaceId: unlimited.workspaceId, retention: { conversationDays: 1, eventDays: null } },
          { workspaceId: limited.workspaceId, retention: { eventDays: 10 } },
        ];
        msg.respond(codec.encode({ response: policies, isDisposed: true, id: (codec.decode(msg.data) as { id?: string }).id }));
      },
    });
    await nc.flush();

    await until(() => counts(limited.workspaceId), (c) => !c.d100 && !c.d30 && !c.d10past, 'the sweep', 60_000);
    expect(await counts(limited.workspaceId)).toEqual({ d10inside: 4, d1: 4 });
    expect(await counts(unlimited.workspaceId)).toEqual({ d100: 9, d30: 3000, d10past: 9, d10inside: 4, d1: 4 });

    // More sweeps change nothing; both replicas swept, and together deleted each row once.
    const askedBefore = asked;
    await until(async () => asked, (n) => n >= askedBefore + 4, 'more sweeps');
    expect(await counts(limited.workspaceId)).toEqual({ d10inside: 4, d1: 4 });
    const deletedBy = replicas.map((r) =>
      readFileSync(r.logFile, 'utf8')
        .split('\n')
        .map((line) => /retention: deleted (\d+) event\(s\) of workspace (\S+)/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null),
    );
    expect(deletedBy.flat().every((m) => m[2] === limited.workspaceId)).toBe(true);
    const totals = deletedBy.map((lines) => lines.reduce((sum, m) => sum + Number(m[1]), 0));
    expect(totals[0] + totals[1]).toBe(3018);
    expect(totals.every((n) => n > 0)).toBe(true);
  });

  it('follows the retention the operator set on the workspace (PATCH …/workspaces/{ws}), asked of the session service', async () => {
    const [set, unset] = await Promise.all([createTestWidget(stack), createTestWidget(stack)]);
    for (const w of [set, unset]) {
      await seed(w.workspaceId, 'd30', 30 * DAY, 9);
      await seed(w.workspaceId, 'd10inside', 10 * DAY - HOUR, 4);
    }
    expect((await set.admin.patch(`/workspaces/${set.workspaceId}`, { retention: { eventDays: 10 } })).status).toBe(200);
    // A replica of the stack's own, sweeping often; the stack's replica sweeps hourly.
    const replica = await spawnApp(stack, 'events', { RETENTION_SWEEP_INTERVAL_MS: '300' });
    try {
      await until(() => counts(set.workspaceId), (c) => !c.d30, 'the sweep', 30_000);
      expect(await counts(set.workspaceId)).toEqual({ d10inside: 4 });
      expect(await counts(unset.workspaceId)).toEqual({ d30: 9, d10inside: 4 });
    } finally {
      await set.admin.patch(`/workspaces/${set.workspaceId}`, { retention: { eventDays: null } });
      await replica.stop();
      await queryDatabase(stack.databaseUrl, `DELETE FROM events.events WHERE workspace_id = ANY($1)`, [[set.workspaceId, unset.workspaceId]]);
    }
  });
});
