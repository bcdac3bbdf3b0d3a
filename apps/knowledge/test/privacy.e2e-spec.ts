import { NatsBus } from '@widget/common';
import { KnowledgeRpc, PersonKeys } from '@widget/contracts';
import { createTestWidget, eraseThroughApi, privacyCallers, PrivacyCallers, queryDatabase, signIdentity, startAnonymous, testStack, TestWidget } from '@widget/testing';
import { randomUUID } from 'node:crypto';

const stack = testStack();

/** The answer records held under the keys, straight from the schema. */
async function recordsOf(workspaceId: string, sessionIds: string[], userIds: string[]): Promise<{ id: string; question: string }[]> {
  return queryDatabase(
    stack.databaseUrl,
    `SELECT id, question FROM knowledge.answer_records WHERE workspace_id = $1 AND (session_id = ANY($2) OR user_id = ANY($3)) ORDER BY id`,
    [workspaceId, sessionIds, userIds],
  );
}

/**
 * SPEC §17, the knowledge part: the AI answer records (a visitor's questions)
 * erased and exported by person. Asked over NATS as the processes that ask:
 * the session service erases, the gateway exports.
 */
describe('knowledge: erase and export a person', () => {
  let widget: TestWidget;
  let callers: PrivacyCallers;
  let asSession: NatsBus;
  let asGateway: NatsBus;
  let erased: PersonKeys;
  let kept: PersonKeys;
  const marker = randomUUID().slice(0, 8);

  /** An anonymous session that asks, is identified (merging it into the user), and asks again. */
  async function visitor(name: string, sub = `user-${randomUUID()}`): Promise<PersonKeys> {
    const anon = await startAnonymous(widget);
    const ask = (token: string, question: string) => widget.api.post('/ai/answer', { question }, { token });
    expect((await ask(anon.token, `${name} ${marker}: how do I reset my password?`)).status).toBe(200);
    const identified = await widget.api.post('/sessions/identify', { token: await signIdentity(widget, { sub }) }, { token: anon.token });
    expect(identified.status).toBe(200);
    expect((await ask(identified.body.token, `${name} ${marker}: where is my invoice?`)).status).toBe(200);
    return { workspaceId: widget.workspaceId, sessionIds: [anon.sessionId, identified.body.session.id], userIds: [identified.body.session.user.id] };
  }

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    erased = await visitor('first');
    kept = await visitor('second');
    callers = await privacyCallers(stack);
    ({ asSession, asGateway } = callers);
  });
  afterAll(() => callers?.close());

  it('exports the person’s questions and answers, and only theirs', async () => {
    const chunk = await asGateway.send(KnowledgeRpc.exportPerson, { person: erased });
    expect(chunk.nextCursor).toBeNull();
    const rows = chunk.data.answer_records as Record<string, unknown>[];
    expect(rows.map((r) => r.question)).toEqual([`first ${marker}: how do I reset my password?`, `first ${marker}: where is my invoice?`]);
    expect(rows[0]).toEqual({
      id: expect.stringMatching(/^ans_/),
      sessionId: erased.sessionIds[0],
      userId: null,
      question: expect.any(String),
      // No articles in this workspace: declined, and the record says so.
      answer: null,
      citations: [],
      expiresAt: expect.any(String),
    });
    expect(rows[1]).toMatchObject({ sessionId: erased.sessionIds[1], userId: erased.userIds[0] });
  });

  it('erases the person’s records, none of another’s, and answers the same counts when asked again', async () => {
    // Another workspace's erasure naming these ids touches nothing here.
    const other = await createTestWidget(stack);
    const elsewhere = await asSession.send(KnowledgeRpc.erasePerson, { erasureId: `era_${randomUUID()}`, person: { ...erased, workspaceId: other.workspaceId } });
    expect(elsewhere).toEqual({ erased: { answer_records: 0 } });
    expect(await recordsOf(widget.workspaceId, erased.sessionIds, erased.userIds)).toHaveLength(2);

    const erasureId = `era_${randomUUID()}`;
    const first = await asSession.send(KnowledgeRpc.erasePerson, { erasureId, person: erased });
    expect(first).toEqual({ erased: { answer_records: 2 } });
    expect(await recordsOf(widget.workspaceId, erased.sessionIds, erased.userIds)).toEqual([]);
    expect((await recordsOf(widget.workspaceId, kept.sessionIds, kept.userIds)).map((r) => r.question)).toEqual([
      `second ${marker}: how do I reset my password?`,
      `second ${marker}: where is my invoice?`,
    ]);

    expect(await asSession.send(KnowledgeRpc.erasePerson, { erasureId, person: erased })).toEqual(first);
    const ledger = await queryDatabase(stack.databaseUrl, `SELECT workspace_id, erased FROM knowledge.erasures_done WHERE erasure_id = $1`, [erasureId]);
    expect(ledger).toEqual([{ workspace_id: widget.workspaceId, erased: { answer_records: 2 } }]);

    expect(await asGateway.send(KnowledgeRpc.exportPerson, { person: erased })).toEqual({ data: { answer_records: [] }, nextCursor: null });
  });

  it('refuses a request without a person or an erasure id, and changes nothing', async () => {
    const bad = [{ erasureId: 'era_x' }, { erasureId: '', person: kept }, { erasureId: 'era_y', person: { workspaceId: kept.workspaceId, sessionIds: 'ses_x', userIds: [] } }];
    for (const request of bad) {
      await expect(asSession.send(KnowledgeRpc.erasePerson, request as never)).rejects.toMatchObject({ code: 'validation_error' });
    }
    await expect(asGateway.send(KnowledgeRpc.exportPerson, { person: { sessionIds: [] } } as never)).rejects.toMatchObject({ code: 'validation_error' });
    expect(await recordsOf(widget.workspaceId, kept.sessionIds, kept.userIds)).toHaveLength(2);
  });

  it('through the operator API: the export holds the questions, and an erasure by the site’s user id deletes them', async () => {
    const sub = `ext-${randomUUID()}`;
    const third = await visitor('third', sub);
    const exported = await widget.admin.get(`/workspaces/${widget.workspaceId}/visitors/export?userId=${encodeURIComponent(sub)}`);
    expect(exported.status).toBe(200);
    const rows = exported.body.parts.knowledge.flatMap((page: { answer_records: { question: string }[] }) => page.answer_records);
    expect(rows.map((r: { question: string }) => r.question)).toEqual([`third ${marker}: how do I reset my password?`, `third ${marker}: where is my invoice?`]);

    const erasure = await eraseThroughApi(widget.admin, widget.workspaceId, { userId: sub }, 'knowledge');
    expect(erasure.parts.knowledge).toMatchObject({ status: 'done', erased: { answer_records: 2 } });
    expect(await recordsOf(widget.workspaceId, third.sessionIds, third.userIds)).toEqual([]);
    expect(await recordsOf(widget.workspaceId, kept.sessionIds, kept.userIds)).toHaveLength(2);
  });
});
