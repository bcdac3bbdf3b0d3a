import { createTeamWorkspace, createTestWidget, expectEnvelope, noonZone, OperatorApi, openSocket, startAnonymous, testStack, TestOperator, TestWidget } from '@widget/testing';
import type { Socket } from 'socket.io-client';

/**
 * SPEC §15: GET /config's `availability` over the real gateway, session, team and realtime services: `online`
 * follows the hours in the widget's time zone and the presence of the workspace's members (operator sockets,
 * presence.set), `nextOpenAt` the next opening outside the hours. The hours are set around "now" in a fixed-offset
 * zone chosen so that it is about noon there, so no range crosses midnight whenever the spec runs.
 */
const stack = testStack();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const asOperator = (token?: string) => new OperatorApi(stack.baseUrl, token);

async function availabilityOf(widget: TestWidget) {
  const res = await widget.api.get(`/config?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return res.body.availability as { online: boolean; nextOpenAt: string | null; replyTime: string | null };
}

/** /config until `online` is as expected: presence follows a socket through the realtime replica's report. */
async function waitOnline(widget: TestWidget, online: boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await availabilityOf(widget);
    if (seen.online === online) return seen;
    if (Date.now() > deadline) throw new Error(`availability is ${JSON.stringify(seen)}, not online: ${online}, after ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function operatorSocket(workspaceId: string, operator: TestOperator): Promise<Socket> {
  const minted = await asOperator(operator.token).post(`/workspaces/${workspaceId}/realtime-token`);
  expect(minted.status).toBe(200);
  return openSocket(stack.baseUrl, { token: minted.body.token, origin: null });
}

describe('GET /config availability (SPEC §15)', () => {
  const sockets: Socket[] = [];
  afterAll(() => sockets.forEach((s) => s.close()));

  it('without hours: online exactly while a member of the workspace is present (socket open, not away)', async () => {
    const widget = await createTestWidget(stack);
    const { agent } = await createTeamWorkspace(stack, widget.workspaceId);
    expect(await availabilityOf(widget)).toEqual({ online: false, nextOpenAt: null, replyTime: null });

    const socket = await operatorSocket(widget.workspaceId, agent);
    sockets.push(socket);
    expect(await waitOnline(widget, true)).toEqual({ online: true, nextOpenAt: null, replyTime: null });

    expect(await socket.timeout(5000).emitWithAck('presence.set', { status: 'away' })).toEqual({ ok: true });
    expect(await availabilityOf(widget)).toEqual({ online: false, nextOpenAt: null, replyTime: null });
    expect((await asOperator(agent.token).put(`/workspaces/${widget.workspaceId}/presence`, { status: 'online' })).status).toBe(200);
    expect((await availabilityOf(widget)).online).toBe(true);

    socket.close();
    await waitOnline(widget, false);
  });

  it('with hours: online within them with someone present; outside them offline with the next opening; replyTime as set', async () => {
    const widget = await createTestWidget(stack);
    const { agent } = await createTeamWorkspace(stack, widget.workspaceId);
    const zone = noonZone();
    const around = { timezone: zone.timezone, hours: [{ days: [zone.day], open: zone.hh(zone.hour - 2), close: zone.hh(zone.hour + 2) }], replyTime: 'hours' };
    const patched = await widget.admin.patch(`/widgets/${widget.widgetId}`, { availability: around });
    expect(patched.status).toBe(200);
    expect(patched.body.availability).toEqual(around);

    // Within the hours, nobody present yet.
    expect(await availabilityOf(widget)).toEqual({ online: false, nextOpenAt: null, replyTime: 'hours' });
    sockets.push(await operatorSocket(widget.workspaceId, agent));
    expect(await waitOnline(widget, true)).toEqual({ online: true, nextOpenAt: null, replyTime: 'hours' });

    // Later today: outside the hours, with the agent still present.
    const later = { timezone: zone.timezone, hours: [{ days: [zone.day], open: zone.hh(zone.hour + 3), close: zone.hh(zone.hour + 5) }] };
    expect((await widget.admin.patch(`/widgets/${widget.widgetId}`, { availability: later })).status).toBe(200);
    expect(await availabilityOf(widget)).toEqual({ online: false, nextOpenAt: zone.todayAt(zone.hour + 3), replyTime: null });

    // Every day but today, from 00:00 to 24:00: the next opening is tomorrow's midnight there.
    const notToday = { timezone: zone.timezone, hours: [{ days: zone.days.filter((d) => d !== zone.day), open: '00:00', close: '24:00' }], replyTime: 'day' };
    expect((await widget.admin.patch(`/widgets/${widget.widgetId}`, { availability: notToday })).status).toBe(200);
    expect(await availabilityOf(widget)).toEqual({ online: false, nextOpenAt: zone.todayAt(24), replyTime: 'day' });

    // null removes the section: no hours, presence alone.
    const removed = await widget.admin.patch(`/widgets/${widget.widgetId}`, { availability: null });
    expect(removed.status).toBe(200);
    expect(removed.body).not.toHaveProperty('availability');
    expect(await availabilityOf(widget)).toEqual({ online: true, nextOpenAt: null, replyTime: null });
  });

  it("another workspace's present member does not make this one online", async () => {
    const widget = await createTestWidget(stack);
    await createTeamWorkspace(stack, widget.workspaceId);
    const other = await createTestWidget(stack);
    const { agent } = await createTeamWorkspace(stack, other.workspaceId);
    sockets.push(await operatorSocket(other.workspaceId, agent));
    await waitOnline(other, true);
    expect((await availabilityOf(widget)).online).toBe(false);
  });

  it('refuses bad hours with validation_error naming the field, and changes nothing', async () => {
    const good = { timezone: 'Europe/Paris', hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '18:00' }], replyTime: 'minutes' };
    const widget = await createTestWidget(stack, { availability: good });
    const bad: [unknown, string][] = [
      [{ timezone: 'Mars/Olympus_Mons' }, 'availability.timezone'],
      [{ timezone: 'Europe/Paris', hours: [{ days: ['monday'], open: '09:00', close: '18:00' }] }, 'availability.hours.0.days.0'],
      [{ timezone: 'Europe/Paris', hours: [{ days: ['mon'], open: '9am', close: '18:00' }] }, 'availability.hours.0.open'],
      [{ timezone: 'Europe/Paris', hours: [{ days: ['fri'], open: '22:00', close: '02:00' }] }, 'availability.hours.0.close'],
      [{ timezone: 'Europe/Paris', replyTime: 'soon' }, 'availability.replyTime'],
      [{ hours: [] }, 'availability.timezone'],
    ];
    for (const [availability, field] of bad) {
      const res = await widget.admin.patch(`/widgets/${widget.widgetId}`, { availability });
      expectEnvelope(res, 400, 'validation_error');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await widget.admin.get(`/widgets/${widget.widgetId}`)).body.availability).toEqual(good);
    expect((await availabilityOf(widget)).replyTime).toBe('minutes');
  });

  it("the email the offline prompt asks for: PATCH /sessions/current stores it on the session; a bad one is validation_error and nothing is written", async () => {
    const widget = await createTestWidget(stack);
    const { token } = await startAnonymous(widget);
    const bad = await widget.api.patch('/sessions/current', { user: { email: 'not-an-email' } }, { token });
    expectEnvelope(bad, 400, 'validation_error');
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(['user.email']);
    // Resumed with its Bearer (200): the session as stored.
    const resumed = await widget.api.post('/sessions/anonymous', { workspaceId: widget.workspaceId, widgetId: widget.widgetId }, { token });
    expect(resumed.status).toBe(200);
    expect(resumed.body.session.visitor).toBeNull();
    const saved = await widget.api.patch('/sessions/current', { user: { email: 'away@example.com' } }, { token });
    expect(saved.status).toBe(200);
    expect(saved.body.session.visitor).toMatchObject({ email: 'away@example.com' });
  });
});
