import { checkEvent, FAST_CHECK } from './ingest';

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

  describe('the fast path decides as the schema does', () => {
    it('is on (the contract schema has the patterns it reads)', () => {
      expect(FAST_CHECK).toBe(true);
    });

    // Sizes around the 4096-byte limit, multi-byte characters, every key order, and everything the fast path hands over.
    const pad = (bytes: number, ch = 'x') => ch.repeat(bytes);
    const near = (n: number) => [n - 1, n, n + 1];
    const cases: unknown[] = [
      { type: 'a' },
      { id: 'x', type: 'a', occurredAt: '2025-06-01T11:59:00Z', properties: {} },
      { properties: { a: 1 }, occurredAt: '2025-06-01T11:59:00.123456+0200', type: 'b.c-d_e', id: 'A.b-c_9' },
      { type: 'a', occurredAt: '2025-06-01T11:59Z' },
      { type: 'a', occurredAt: '2025-02-29T11:59:00Z' },
      { type: 'a', occurredAt: '2025-06-01 11:59:00Z' },
      { type: 'a', occurredAt: '2025-06-01T11:59:00' },
      { type: 'a', occurredAt: 20250601 },
      { type: 'a', occurredAt: null },
      { type: 'a', id: null },
      { type: 'a', id: '' },
      { type: 'a', id: 'x'.repeat(128) },
      { type: 'a', id: 'x'.repeat(129) },
      { type: 'a'.repeat(100) },
      { type: 'a'.repeat(101) },
      { type: 'widget.' },
      { type: 'Widget.x' },
      { type: '9a' },
      { type: null },
      { type: 5 },
      { type: 'a', properties: null },
      { type: 'a', properties: [] },
      { type: 'a', properties: { nested: { deep: [1, { x: null }] } } },
      JSON.parse('{"type":"a","properties":{"__proto__":{"x":1},"y":2}}'),
      JSON.parse('{"type":"a","__proto__":{"x":1}}'),
      { type: 'a', extra: 1, id: 'bad id' },
      { type: 'widget.x', extra: 1 },
      { id: 'bad id', type: 'widget.x' },
      ...near(4096 - '{"type":"a","properties":{"p":""}}'.length).map((n) => ({ type: 'a', properties: { p: pad(n) } })),
      ...near(4096 - '{"properties":{"p":""},"type":"a","id":"i"}'.length).map((n) => ({ properties: { p: pad(n) }, type: 'a', id: 'i' })),
      ...near(Math.floor((4096 - '{"type":"a","properties":{"p":""}}'.length) / 3)).map((n) => ({ type: 'a', properties: { p: pad(n, '€') } })),
      ...near(4096 - '{"type":"a","properties":{"p":""},"x":1}'.length).map((n) => ({ type: 'a', properties: { p: pad(n) }, x: 1 })),
      ...near(4096 - '{"type":"a","properties":{"p":""}}'.length - 8).map((n) => ({ type: 'a', properties: { p: `${pad(n)}"\\\n` } })),
    ];
    const strip = (c: ReturnType<typeof checkEvent>) => ('row' in c && c.row.eventId.startsWith('evt_') ? { row: { ...c.row, eventId: 'evt_' } } : c);
    it.each(cases.map((raw, i) => [i, JSON.stringify(raw).slice(0, 80), raw]))('case %i: %s', (_i, _label, raw) => {
      expect(strip(checkEvent(raw, now, true))).toEqual(strip(checkEvent(raw, now, false)));
    });

    // The fast path sizes id, type and occurredAt as `length + 2`: the contract must keep refusing what JSON escapes or UTF-8 widens.
    it.each(['"', '\\', '\n', '\u0000', 'é', '😀'])('the contract refuses %j in id, type and occurredAt', (ch) => {
      expect(checkEvent({ type: 'a', id: `a${ch}b` }, now, false)).toEqual({ reason: 'invalid_id' });
      expect(checkEvent({ type: `a${ch}b` }, now, false)).toEqual({ reason: 'invalid_type' });
      expect(checkEvent({ type: 'a', occurredAt: `2025-06-01T11:59:00${ch}Z` }, now, false)).toEqual({ reason: 'invalid_occurred_at' });
    });

    it('puts the size limit at exactly 4096 bytes of JSON', () => {
      const sized = (bytes: number) => ({ type: 'a', properties: { p: 'é'.repeat(Math.floor(bytes / 2)) + 'x'.repeat(bytes % 2) } });
      const base = Buffer.byteLength(JSON.stringify(sized(0)));
      expect('row' in checkEvent(sized(4096 - base), now)).toBe(true);
      expect(checkEvent(sized(4097 - base), now)).toEqual({ reason: 'too_large' });
    });
  });
});
