import { randomUUID } from 'node:crypto';
import { createTestWidget, startAnonymous, testStack } from '@widget/testing';

const stack = testStack();

/** Issue 13: event ids are de-duplicated per session, so sessions cannot probe or pre-claim each other's ids. */
describe('event ids are scoped to the session', () => {
  it('the same id from two sessions of one workspace is two events; from one session, a duplicate', async () => {
    const widget = await createTestWidget(stack);
    const a = await startAnonymous(widget);
    const b = await startAnonymous(widget);
    const id = `shared-${randomUUID()}`;
    const send = (token: string) => widget.api.post('/events', { events: [{ id, type: 'page_view' }] }, { token });
    expect((await send(a.token)).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await send(b.token)).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await send(a.token)).body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect((await send(b.token)).body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    const today = new Date().toISOString().slice(0, 10);
    const counts = await widget.admin.get(`/workspaces/${widget.workspaceId}/events/counts?from=${today}&to=${today}&type=page_view`);
    expect(counts.status).toBe(200);
    expect(JSON.stringify(counts.body)).toContain('"count":2');
  });
});
