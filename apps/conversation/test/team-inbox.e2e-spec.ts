import {
  createTeamWorkspace,
  createTestWidget,
  expectEnvelope,
  nextEvent,
  OperatorApi,
  openRecording,
  openSocket,
  queryDatabase,
  TINY_PDF,
  uploadFile,
  recordEvents,
  startAnonymous,
  TeamWorkspace,
  testStack,
  TestWidget,
} from '@widget/testing';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';

const stack = testStack();
const asOperator = (token?: string) => new OperatorApi(stack.baseUrl, token);

/** Issue 21, the inbox for a team: internal notes, views and counts, the visitor's read position, canned replies. */
describe('The inbox for a team (issue 21)', () => {
  let widget: TestWidget;
  let team: TeamWorkspace;
  const sockets: Socket[] = [];
  const ws = () => widget.workspaceId;

  async function operatorFeed(token: string): Promise<Socket> {
    const minted = await asOperator(token).post(`/workspaces/${ws()}/realtime-token`);
    expect(minted.status).toBe(200);
    const socket = await openSocket(stack.baseUrl, { token: minted.body.token, origin: null });
    sockets.push(socket);
    return socket;
  }

  async function visitorOpens(text = 'Where is my parcel?') {
    const visitor = await startAnonymous(widget);
    const res = await widget.api.post('/conversations', { message: text, clientMessageId: randomUUID() }, { token: visitor.token });
    expect(res.status).toBe(201);
    return { token: visitor.token as string, conversation: res.body as { id: string; lastMessage: { id: string } } };
  }

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    team = await createTeamWorkspace(stack, widget.workspaceId);
  });

  afterAll(() => sockets.forEach((s) => s.close()));

  describe('internal notes', () => {
    it("reach the operator feed and the operator's thread, never the visitor's socket, list, replay, last message or unread count", async () => {
      const { token, conversation } = await visitorOpens();
      const visitorSocket = await openSocket(stack.baseUrl, { token });
      sockets.push(visitorSocket);
      const visitorHeard = recordEvents(visitorSocket, 'message.created');
      const feed = await operatorFeed(team.agent.token);
      const agent = asOperator(team.agent.token);

      const noteHeard = nextEvent(feed, 'message.created', (e) => e.payload.message.author.type === 'note');
      const note = await agent.post(`/conversations/${conversation.id}/messages`, { text: 'Internal: the parcel is held in Lyon.', type: 'note' });
      expect(note.status).toBe(201);
      expect(note.body.author).toEqual({ type: 'note', id: team.agent.id, name: team.agent.name });
      expect((await noteHeard).payload.message.id).toBe(note.body.id);

      // The reply comes after the note through the same relay and listener: once the visitor has it, a delivered note would have come first.
      const replyHeard = nextEvent(visitorSocket, 'message.created', (e) => e.payload.message.author.type === 'agent');
      const reply = await agent.post(`/conversations/${conversation.id}/messages`, { text: 'It is on its way.' });
      expect(reply.status).toBe(201);
      await replyHeard;
      expect(visitorHeard.map((e) => e.payload.message.author.type)).toEqual(['agent']);

      const visitorThread = await widget.api.get(`/conversations/${conversation.id}/messages?limit=50`, { token });
      expect(visitorThread.body.data.map((m: { id: string }) => m.id)).toEqual([reply.body.id, conversation.lastMessage.id]);
      const after = await widget.api.get(`/conversations/${conversation.id}/messages?after=${conversation.lastMessage.id}`, { token });
      expect(after.body.data.map((m: { id: string }) => m.id)).toEqual([reply.body.id]);
      const seenByVisitor = await widget.api.get(`/conversations/${conversation.id}`, { token });
      expect(seenByVisitor.body).toMatchObject({ unreadCount: 1, lastMessage: { id: reply.body.id } });

      const { socket: replayed, seen: replayedMessages } = await openRecording(stack.baseUrl, 'message.created', { token, lastMessageId: conversation.lastMessage.id });
      sockets.push(replayed);
      // Live delivery is on before replay runs: a message after both proves the replay has been sent.
      const marker = nextEvent(replayed, 'message.created', (e) => e.payload.message.text === 'Marker.');
      await agent.post(`/conversations/${conversation.id}/messages`, { text: 'Marker.' });
      await marker;
      expect(replayedMessages.map((e) => e.payload.message.author.type)).not.toContain('note');

      const operatorThread = await agent.get(`/conversations/${conversation.id}/messages?limit=50`);
      expect(operatorThread.body.data.map((m: { author: { type: string } }) => m.author.type)).toEqual(['agent', 'agent', 'note', 'user']);
    });

    it('the root key and API keys name the note\'s author; a type outside agent, bot and note is refused', async () => {
      const { conversation } = await visitorOpens();
      const root = asOperator(stack.adminKey);
      const note = await root.post(`/conversations/${conversation.id}/messages`, { text: 'From the CRM.', type: 'note', author: { id: 'crm', name: 'CRM' } });
      expect(note.status).toBe(201);
      expect(note.body.author).toEqual({ type: 'note', id: 'crm', name: 'CRM' });
      expectEnvelope(await root.post(`/conversations/${conversation.id}/messages`, { text: 'x', type: 'system', author: { id: 'crm' } }), 400, 'validation_error');
    });
  });

  it('a note may carry a file: the file is sent with it (never again), and the visitor never sees the note', async () => {
    const own = await createTestWidget(stack, { features: { attachments: true } });
    const visitor = await startAnonymous(own);
    const conversation = (await own.api.post('/conversations', { message: 'Receipt?', clientMessageId: randomUUID() }, { token: visitor.token })).body;
    const up = await uploadFile(`${stack.baseUrl}/admin/v1/conversations/${conversation.id}/attachments`, { name: 'invoice.pdf', bytes: TINY_PDF }, { token: stack.adminKey });
    expect(up.status).toBe(201);
    const root = asOperator(stack.adminKey);
    const note = await root.post(`/conversations/${conversation.id}/messages`, { type: 'note', attachmentIds: [up.body.id], author: { id: 'crm', name: 'CRM' } });
    expect(note.status).toBe(201);
    expect(note.body.attachments.map((a: { id: string }) => a.id)).toEqual([up.body.id]);
    const [row] = await queryDatabase<{ message_id: string | null }>(stack.databaseUrl, `SELECT message_id FROM conversation.attachments WHERE id = $1`, [up.body.id]);
    expect(row.message_id).toBe(note.body.id);
    // Sent once: a reply cannot take the same file again.
    expect((await root.post(`/conversations/${conversation.id}/messages`, { attachmentIds: [up.body.id], author: { id: 'crm', name: 'CRM' } })).status).toBe(400);
    const thread = await own.api.get(`/conversations/${conversation.id}/messages`, { token: visitor.token });
    expect(thread.body.data.map((m: { author: { type: string } }) => m.author.type)).toEqual(['user']);
  });

  describe('views, counts and the visitor\'s read position', () => {
    it('mine, unassigned and all, listed and counted for the calling account; keys and the root key have no "mine"', async () => {
      const own = await createTestWidget(stack);
      const people = await createTeamWorkspace(stack, own.workspaceId);
      const open = async () => {
        const visitor = await startAnonymous(own);
        return (await own.api.post('/conversations', { message: 'Hi', clientMessageId: randomUUID() }, { token: visitor.token })).body.id as string;
      };
      const [a, b, c] = [await open(), await open(), await open()];
      const owner = asOperator(people.owner.token);
      expect((await owner.patch(`/conversations/${a}`, { assignee: { id: people.agent.id, name: people.agent.name } })).status).toBe(200);
      expect((await owner.patch(`/conversations/${b}`, { assignee: { id: people.admin.id, name: people.admin.name } })).status).toBe(200);

      const agent = asOperator(people.agent.token);
      const ids = async (api: OperatorApi, view: string) =>
        (await api.get(`/workspaces/${own.workspaceId}/conversations?view=${view}`)).body.data.map((x: { id: string }) => x.id);
      expect(await ids(agent, 'mine')).toEqual([a]);
      expect(await ids(agent, 'unassigned')).toEqual([c]);
      // Newest activity first: the assignments moved a and b after c.
      expect(await ids(agent, 'all')).toEqual([b, a, c]);
      expect(await ids(asOperator(people.admin.token), 'mine')).toEqual([b]);
      expect(await ids(asOperator(stack.adminKey), 'mine')).toEqual([]);

      expect((await agent.get(`/workspaces/${own.workspaceId}/conversations/counts`)).body).toEqual({ all: 3, mine: 1, unassigned: 1 });
      expect((await agent.get(`/workspaces/${own.workspaceId}/conversations/counts?status=resolved`)).body).toEqual({ all: 0, mine: 0, unassigned: 0 });
      expect((await asOperator(stack.adminKey).get(`/workspaces/${own.workspaceId}/conversations/counts`)).body).toEqual({ all: 3, mine: 0, unassigned: 1 });
      expectEnvelope(await agent.get(`/workspaces/${own.workspaceId}/conversations?view=theirs`), 400, 'validation_error');
      expectEnvelope(await agent.get(`/workspaces/${own.workspaceId}/conversations/counts?status=lost`), 400, 'validation_error');
      // Another workspace's agent sees nothing of it.
      expectEnvelope(await asOperator(team.agent.token).get(`/workspaces/${own.workspaceId}/conversations/counts`), 404, 'not_found');
    });

    it("the operator sees the visitor's read position on the conversation and hears it move on the feed", async () => {
      const { token, conversation } = await visitorOpens();
      const agent = asOperator(team.agent.token);
      expect((await agent.get(`/conversations/${conversation.id}`)).body.visitorLastReadMessageId).toBeNull();
      const reply = await agent.post(`/conversations/${conversation.id}/messages`, { text: 'Answer.' });
      const feed = await operatorFeed(team.agent.token);
      const read = nextEvent(feed, 'conversation.read', (e) => e.payload.conversationId === conversation.id);
      expect((await widget.api.post(`/conversations/${conversation.id}/read`, {}, { token })).status).toBe(200);
      expect((await read).payload).toEqual({ conversationId: conversation.id, lastReadMessageId: reply.body.id, unreadCount: 0 });
      expect((await agent.get(`/conversations/${conversation.id}`)).body.visitorLastReadMessageId).toBe(reply.body.id);
    });
  });

  it("lists the workspace's widgets for owners and admins (the settings' availability page), nobody else's", async () => {
    const listed = await asOperator(team.admin.token).get(`/workspaces/${ws()}/widgets`);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ data: [{ id: widget.widgetId, workspaceId: ws() }], nextCursor: null });
    expectEnvelope(await asOperator(team.agent.token).get(`/workspaces/${ws()}/widgets`), 403, 'forbidden', 'role_required');
    const elsewhere = await createTeamWorkspace(stack);
    expectEnvelope(await asOperator(elsewhere.owner.token).get(`/workspaces/${ws()}/widgets`), 404, 'not_found');
    expect((await asOperator(elsewhere.owner.token).get(`/workspaces/${elsewhere.workspaceId}/widgets`)).body.data).toEqual([]);
  });

  describe('canned replies', () => {
    const base = () => `/workspaces/${ws()}/canned-replies`;

    it('owners and admins create, change and delete them (each in the audit log); agents list and search', async () => {
      const admin = asOperator(team.admin.token);
      const agent = asOperator(team.agent.token);
      const key = { 'Idempotency-Key': `canned-${randomUUID()}` };
      const created = await admin.post(base(), { shortcut: 'refund', text: 'Refunds take 5 days.' }, key);
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.stringMatching(/^cnr_/), shortcut: 'refund', text: 'Refunds take 5 days.', createdAt: expect.any(String), updatedAt: expect.any(String) });
      expect((await admin.post(base(), { shortcut: 'refund', text: 'Refunds take 5 days.' }, key)).body.id).toBe(created.body.id);
      const other = await asOperator(team.owner.token).post(base(), { shortcut: 'hello', text: 'Hello! How can I help with 50% off?' });
      expect(other.status).toBe(201);

      expect((await agent.get(base())).body.data.map((r: { shortcut: string }) => r.shortcut)).toEqual(['hello', 'refund']);
      expect((await agent.get(`${base()}?q=REF`)).body.data.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
      expect((await agent.get(`${base()}?q=${encodeURIComponent('50%')}`)).body.data.map((r: { id: string }) => r.id)).toEqual([other.body.id]);
      expect((await agent.get(`${base()}?q=${encodeURIComponent('%')}`)).body.data.map((r: { id: string }) => r.id)).toEqual([other.body.id]);
      const first = await agent.get(`${base()}?limit=1`);
      expect(first.body.data[0].shortcut).toBe('hello');
      expect((await agent.get(`${base()}?limit=1&cursor=${first.body.nextCursor}`)).body).toMatchObject({ data: [{ shortcut: 'refund' }], nextCursor: null });

      const changed = await admin.patch(`${base()}/${created.body.id}`, { text: 'Refunds take 3 days.' });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ shortcut: 'refund', text: 'Refunds take 3 days.' });
      expect((await admin.delete(`${base()}/${other.body.id}`)).status).toBe(204);
      expectEnvelope(await admin.delete(`${base()}/${other.body.id}`), 404, 'not_found', 'canned_reply_not_found');

      // The conversation service's own audit log (GET …/audit-log merges it with every other service's).
      const rows = await queryDatabase<{ action: string; actor_id: string }>(
        stack.databaseUrl,
        `SELECT action, actor_id FROM conversation.audit_log WHERE workspace_id = $1 AND target_type = 'canned_reply' ORDER BY id DESC`,
        [ws()],
      );
      const actions = rows.map((r) => r.action);
      expect(rows[0].actor_id).toBe(team.admin.id);
      expect(actions).toEqual(['canned_reply.deleted', 'canned_reply.updated', 'canned_reply.created', 'canned_reply.created']);
    });

    it('refuses agents, bad shortcuts and texts, a taken shortcut, unknown ids and other workspaces, writing nothing', async () => {
      const admin = asOperator(team.admin.token);
      expectEnvelope(await asOperator(team.agent.token).post(base(), { shortcut: 'agent', text: 'x' }), 403, 'forbidden', 'role_required');
      expectEnvelope(await admin.post(base(), { shortcut: 'Not OK', text: 'x' }), 400, 'validation_error');
      expectEnvelope(await admin.post(base(), { shortcut: 'empty', text: '   ' }), 400, 'validation_error');
      expectEnvelope(await admin.post(base(), { shortcut: 'extra', text: 'x', title: 'no' }), 400, 'validation_error');
      const kept = await admin.post(base(), { shortcut: 'kept', text: 'Kept.' });
      const moved = await admin.post(base(), { shortcut: 'moved', text: 'Moved.' });
      expectEnvelope(await admin.post(base(), { shortcut: 'kept', text: 'Again.' }), 400, 'validation_error', 'shortcut_taken');
      expectEnvelope(await admin.patch(`${base()}/${moved.body.id}`, { shortcut: 'kept' }), 400, 'validation_error', 'shortcut_taken');
      expectEnvelope(await admin.patch(`${base()}/cnr_01ARZ3NDEKTSV4RRFFQ69G5FAV`, { text: 'x' }), 404, 'not_found', 'canned_reply_not_found');
      expectEnvelope(await admin.patch(`${base()}/nope`, { text: 'x' }), 404, 'not_found');
      expectEnvelope(await admin.get(`${base()}?cursor=${Buffer.from('NOT A SHORTCUT').toString('base64url')}`), 400, 'validation_error');
      const list = await admin.get(`${base()}?q=kept`);
      expect(list.body.data).toEqual([kept.body]);

      const elsewhere = await createTeamWorkspace(stack);
      const stranger = asOperator(elsewhere.owner.token);
      expectEnvelope(await stranger.get(base()), 404, 'not_found');
      expectEnvelope(await stranger.patch(`${base()}/${kept.body.id}`, { text: 'Mine now.' }), 404, 'not_found');
      expectEnvelope(await stranger.patch(`/workspaces/${elsewhere.workspaceId}/canned-replies/${kept.body.id}`, { text: 'Mine now.' }), 404, 'not_found', 'canned_reply_not_found');
      expect((await admin.get(`${base()}?q=kept`)).body.data).toEqual([kept.body]);
    });

    it('two replies renamed to one shortcut at once: one wins, the other is shortcut_taken (not a 500), one audit entry', async () => {
      const admin = asOperator(team.admin.token);
      for (let round = 0; round < 3; round++) {
        const pair = await Promise.all([admin.post(base(), { shortcut: `pair-a${round}`, text: 'A.' }), admin.post(base(), { shortcut: `pair-b${round}`, text: 'B.' })]);
        const target = `pair-both${round}`;
        const answers = await Promise.all(pair.map((r) => admin.patch(`${base()}/${r.body.id}`, { shortcut: target })));
        expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
        expectEnvelope(answers.find((a) => a.status === 400)!, 400, 'validation_error', 'shortcut_taken');
        expect((await admin.get(`${base()}?q=${target}`)).body.data).toHaveLength(1);
        const updates = await queryDatabase(
          stack.databaseUrl,
          `SELECT target_id FROM conversation.audit_log WHERE action = 'canned_reply.updated' AND target_id = ANY($1)`,
          [pair.map((r) => r.body.id)],
        );
        expect(updates).toHaveLength(1);
      }
    });
  });
});
