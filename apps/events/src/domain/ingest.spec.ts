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
    [{ type: 'a', properties: { nul: 'a\u0000b' } }, 'invalid_properties'],
    [{ type: 'a', properties: { half: '\ud800' } }, 'invalid_properties'],
    [{ type: 'a', x: 1 }, 'unknown_keys'],
    [{ type: 'a', properties: { p: 'x'.repeat(4100) } }, 'too_large'],
  ])('%j → %s', (raw, reason) => {
    expect(checkEvent(raw, now)).toEqual({ reason });
  });

  it('keeps properties as JSON text, escapes included', () => {
    const checked = checkEvent({ id: 'e-1', type: 'a', occurredAt: '2025-06-01T11:00:00+01:00', properties: { path: '/p', q: 'a"b\\c', emoji: '😀', lit: '\\u0000' } }, now);
    expect(checked).toEqual({
      row: { eventId: 'e-1', type: 'a', occurredAt: new Date('2025-06-01T10:00:00Z'), properties: '{"path":"/p","q":"a\\"b\\\\c","emoji":"😀","lit":"\\\\u0000"}' },
    });
  });

  it.each([
    [{ id: 'x', type: 'a', occurredAt: '2025-06-01T11:59:00Z', properties: {} }, null],
    [{ properties: { a: 1 }, occurredAt: '2025-06-01T11:59:00.123456+02:00', type: 'b.c-d_e', id: 'A.b-c_9' }, null],
    [{ type: 'a', occurredAt: '2025-06-01T11:59Z' }, null],
    [{ type: 'Widget.x' }, null],
    [{ type: 'a'.repeat(100) }, null],
    [{ type: 'a', id: 'x'.repeat(128) }, null],
    [{ type: 'a', properties: { nested: { deep: [1, { x: null }] } } }, null],
    [{ type: 'a', occurredAt: '2025-06-01T11:59:00.123+0200' }, 'invalid_occurred_at'],
    [{ type: 'a', occurredAt: '2025-02-29T11:59:00Z' }, 'invalid_occurred_at'],
    [{ type: 'a', occurredAt: '2025-06-01 11:59:00Z' }, 'invalid_occurred_at'],
    [{ type: 'a', occurredAt: '2025-06-01T11:59:00' }, 'invalid_occurred_at'],
    [{ type: 'a', occurredAt: 20250601 }, 'invalid_occurred_at'],
    [{ type: 'a', occurredAt: null }, 'invalid_occurred_at'],
    [{ type: 'a', id: null }, 'invalid_id'],
    [{ type: 'a', id: '' }, 'invalid_id'],
    [{ type: 'a', id: 'x'.repeat(129) }, 'invalid_id'],
    [{ type: 'a'.repeat(101) }, 'invalid_type'],
    [{ type: '9a' }, 'invalid_type'],
    [{ type: null }, 'invalid_type'],
    [{ type: 5 }, 'invalid_type'],
    [{ type: 'widget.' }, 'reserved_type'],
    [{ type: 'a', properties: null }, 'invalid_properties'],
    [{ type: 'a', properties: [] }, 'invalid_properties'],
    [JSON.parse('{"type":"a","__proto__":{"x":1}}'), 'unknown_keys'],
  ])('%j → %s (null: accepted)', (raw, reason) => {
    const checked = checkEvent(raw, now);
    if (reason === null) expect(checked).toHaveProperty('row');
    else expect(checked).toEqual({ reason });
  });

  it('drops a __proto__ key inside properties instead of storing it', () => {
    const checked = checkEvent(JSON.parse('{"type":"a","properties":{"__proto__":{"x":1},"y":2}}'), now);
    expect('row' in checked && checked.row.properties).toBe('{"y":2}');
  });

  it.each(['"', '\\', '\n', '\u0000', 'é', '😀'])('refuses %j in id, type and occurredAt', (ch) => {
    expect(checkEvent({ type: 'a', id: `a${ch}b` }, now)).toEqual({ reason: 'invalid_id' });
    expect(checkEvent({ type: `a${ch}b` }, now)).toEqual({ reason: 'invalid_type' });
    expect(checkEvent({ type: 'a', occurredAt: `2025-06-01T11:59:00${ch}Z` }, now)).toEqual({ reason: 'invalid_occurred_at' });
  });

  it('puts the size limit at exactly 4096 bytes of JSON', () => {
    const sized = (bytes: number) => ({ type: 'a', properties: { p: 'é'.repeat(Math.floor(bytes / 2)) + 'x'.repeat(bytes % 2) } });
    const base = Buffer.byteLength(JSON.stringify(sized(0)));
    expect('row' in checkEvent(sized(4096 - base), now)).toBe(true);
    expect(checkEvent(sized(4097 - base), now)).toEqual({ reason: 'too_large' });
  });
});
