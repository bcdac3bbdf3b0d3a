import { hashToken, NatsBus } from '@widget/common';
import type { GatewayConfig } from '../config';
import { OperatorCallers } from './operator-callers';
import { SessionCache } from './session-cache';
import { WidgetDirectory } from './widget-directory';

/** A bus whose answers the spec releases by hand, to put a revocation between a question and its answer. */
function heldBus() {
  const held: Array<(value: unknown) => void> = [];
  let asked = 0;
  const bus = {
    send: () => {
      asked++;
      return new Promise((resolve) => held.push(resolve));
    },
    onReconnect: () => undefined,
  } as unknown as NatsBus;
  return { bus, release: (value: unknown) => held.shift()!(value), asked: () => asked };
}

const config = { SESSION_CACHE_TTL_MS: 60_000, WIDGET_CACHE_TTL_MS: 60_000, ADMIN_API_KEY: 'root-key-for-the-spec-only-0123456789' } as GatewayConfig;
const later = new Date(Date.now() + 3_600_000).toISOString();

describe('an answer that was in flight when a revocation arrived is used once, not kept', () => {
  it('operator tokens', async () => {
    const { bus, release, asked } = heldBus();
    const callers = new OperatorCallers(bus, config);
    const caller = { kind: 'operator', id: 'op_1', name: 'Olga', expiresAt: later };

    const inFlight = callers.resolve('opt_token', 'req_1');
    callers.forget({ tokenHash: hashToken('opt_token') });
    release(caller);
    expect(await inFlight).toEqual(caller);
    expect(callers.peek('opt_token')).toBeUndefined();

    // Asked after the revocation: kept as usual.
    const next = callers.resolve('opt_token', 'req_2');
    release(caller);
    await next;
    expect(callers.peek('opt_token')).toEqual(caller);
    await callers.resolve('opt_token', 'req_3');
    expect(asked()).toBe(2);
  });

  it('session tokens', async () => {
    const { bus, release } = heldBus();
    const sessions = new SessionCache(bus, config);
    const session = { sessionId: 'ses_1', expiresAt: later };

    const inFlight = sessions.authenticate('wst_token', 'req_1');
    sessions.forget(hashToken('wst_token'));
    release(session);
    expect(await inFlight).toEqual(session);
    expect(sessions.peek('wst_token')).toBeUndefined();

    const next = sessions.authenticate('wst_token', 'req_2');
    release(session);
    await next;
    expect(sessions.peek('wst_token')).toEqual(session);
  });

  it('widgets (a PATCH through this replica forgets the widget while another request is asking for it)', async () => {
    const { bus, release, asked } = heldBus();
    const widgets = new WidgetDirectory(bus, config);
    const before = { widgetId: 'wgt_1', enabled: true };
    const after = { widgetId: 'wgt_1', enabled: false };

    const inFlight = widgets.get('wgt_1');
    widgets.forget('wgt_1');
    release(before);
    expect(await inFlight).toEqual(before);

    // Not kept: the next request asks again, and that answer is kept.
    const next = widgets.get('wgt_1');
    release(after);
    expect(await next).toEqual(after);
    expect(await widgets.get('wgt_1')).toEqual(after);
    expect(asked()).toBe(2);
  });
});
