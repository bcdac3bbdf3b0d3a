import { checkEvent } from './ingest';

describe('checkEvent', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');

  it('gives id-less events an evt_ id and the server time', () => {
    const checked = checkEvent({ type: 'opened' }, now);
    expect('row' in checked && checked.row).toMatchObject({ eventId: expect.stringMatching(/^evt_/), type: 'opened', properties: null });
    expect('row' in checked && checked.row.occurredAt.toISOString()).toBe('2025-06-01T12:00:00.000Z');
  });

  it.each([
    [42, 'not_an_object'],
    [[], 'not_an_object'],
    [{ type: 'widget.x' }, 'reserved_type'],
    [{}, 'type_required'],
    [{ type: 'a', id: 'a:b' }, 'invalid_id'],
    [{ type: 'a', occurredAt: '2025-06-01T12:10:00Z' }, 'occurred_at_in_future'],
    [{ type: 'a', occurredAt: '2025-04-01T12:00:00Z' }, 'occurred_at_too_old'],
    [{ type: 'a', properties: 'x' }, 'invalid_properties'],
    [{ type: 'a', x: 1 }, 'unknown_keys'],
    [{ type: 'a', properties: { p: 'x'.repeat(4100) } }, 'too_large'],
  ])('%j → %s', (raw, reason) => {
    expect(checkEvent(raw, now)).toEqual({ reason });
  });
});
