import { createTestWidget, signIdentity, startAnonymous, testStack, TestWidget } from '@widget/testing';
import { randomUUID } from 'node:crypto';
import { expectError } from './helpers';

const stack = testStack();
const cmid = () => `c-${randomUUID()}`;
const UNKNOWN = 'conv_01JD0000000000000000000000';

/** What the inbox reads: one conversation with its visitor, and its thread paged back in time. */
describe('operator view of a conversation (GET /admin/v1/conversations/{id}[/messages])', () => {
  let widget: TestWidget;

  beforeAll(async () => {
    widget = await createTestWidget(stack);
  });

  const start = async (token: string, body: Record<string, unknown> = {}) => (await widget.api.post('/conversations', body, { token })).body;

  it('returns the conversation with the anonymous visitor behind it', async () => {
    const me = await startAnonymous(widget);
    const conv = await start(me.token, { subject: 'Refund', message: 'hello', tags: ['billing'], customFields: { plan: 'pro' }, metadata: { page: '/pricing' } });
    const res = await widget.admin.get(`/conversations/${conv.id}`);
    expect(res.status).toBe(200);
    const { visitor, visitorLastReadMessageId, ...conversation } = res.body;
    expect(conversation).toEqual(conv);
    // Issue 21's "seen": the visitor's read position (nothing read yet: the first message is their own).
    expect(visitorLastReadMessageId).toBeNull();
    expect(visitor).toEqual({
      sessionId: me.sessionId,
      widgetId: widget.widgetId,
      identityType: 'anonymous',
      locale: null,
      since: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      user: null,
      profile: null,
    });
  });

  it("shows an anonymous visitor's own profile from PATCH /sessions/current", async () => {
    const me = await startAnonymous(widget);
    const patched = await widget.api.patch('/sessions/current', { user: { name: 'Visiting Vera', traits: { plan: 'trial' } } }, { token: me.token });
    expect(patched.status).toBe(200);
    const conv = await start(me.token, { message: 'hi' });
    const res = await widget.admin.get(`/conversations/${conv.id}`);
    expect(res.body.visitor).toMatchObject({ identityType: 'anonymous', user: null, profile: { name: 'Visiting Vera', traits: { plan: 'trial' } } });
  });

  it("shows an identified visitor's profile", async () => {
    const anon = await startAnonymous(widget);
    const jwt = await signIdentity(widget, { sub: 'cust-42', email: 'ada@example.com', name: 'Ada', company_id: 'acme' });
    const identified = await widget.api.post('/sessions/identify', { token: jwt }, { token: anon.token });
    expect(identified.status).toBe(200);
    const conv = await start(identified.body.token, { message: 'I am known' });
    const res = await widget.admin.get(`/conversations/${conv.id}`);
    expect(res.body.visitor).toMatchObject({
      sessionId: identified.body.session.id,
      identityType: 'identified',
      user: { id: expect.stringMatching(/^usr_/), externalId: 'cust-42', email: 'ada@example.com', name: 'Ada', companyId: 'acme', verified: true },
      profile: null,
    });
  });

  it('pages the thread newest first and catches up after a message id', async () => {
    const me = await startAnonymous(widget);
    const conv = await start(me.token, { message: 'm1', clientMessageId: cmid() });
    for (const text of ['m2', 'm3', 'm4']) await widget.api.post(`/conversations/${conv.id}/messages`, { text, clientMessageId: cmid() }, { token: me.token });
    await widget.admin.post(`/conversations/${conv.id}/messages`, { text: 'a5', author: { id: 'agent-1', name: 'Grace' } });

    const first = await widget.admin.get(`/conversations/${conv.id}/messages?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.data.map((m: { text: string }) => m.text)).toEqual(['a5', 'm4']);
    const second = await widget.admin.get(`/conversations/${conv.id}/messages?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.data.map((m: { text: string }) => m.text)).toEqual(['m3', 'm2']);
    const last = await widget.admin.get(`/conversations/${conv.id}/messages?limit=2&cursor=${second.body.nextCursor}`);
    expect(last.body).toEqual({ data: [expect.objectContaining({ text: 'm1' })], nextCursor: null });

    const after = await widget.admin.get(`/conversations/${conv.id}/messages?after=${second.body.data[0].id}`);
    expect(after.body.data.map((m: { text: string }) => m.text)).toEqual(['m4', 'a5']);
  });

  it('answers conversation_not_found for unknown or malformed ids, validation_error for a bad query', async () => {
    expectError(await widget.admin.get(`/conversations/${UNKNOWN}`), 404, 'conversation_not_found');
    expectError(await widget.admin.get(`/conversations/bogus`), 404, 'conversation_not_found');
    expectError(await widget.admin.get(`/conversations/${UNKNOWN}/messages`), 404, 'conversation_not_found');
    const me = await startAnonymous(widget);
    const conv = await start(me.token, {});
    expectError(await widget.admin.get(`/conversations/${conv.id}/messages?limit=500`), 400, 'validation_error');
    expectError(await widget.admin.get(`/conversations/${conv.id}/messages?after=nope`), 400, 'validation_error');
  });

  it('needs the admin key', async () => {
    const me = await startAnonymous(widget);
    const conv = await start(me.token, {});
    const none = await fetch(`${stack.baseUrl}/admin/v1/conversations/${conv.id}`);
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe('auth_required');
    const wrong = await fetch(`${stack.baseUrl}/admin/v1/conversations/${conv.id}/messages`, { headers: { authorization: 'Bearer wrong-key' } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe('invalid_token');
  });
});
