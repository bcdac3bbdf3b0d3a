import { availabilitySchema, AvailabilityConfig } from '@widget/contracts';
import { nextOpening, withinHours } from './availability';

const at = (iso: string) => new Date(iso);
const next = (config: AvailabilityConfig, iso: string) => nextOpening(config, at(iso))?.toISOString() ?? null;
const hours = (timezone: string, ...ranges: AvailabilityConfig['hours']): AvailabilityConfig => availabilitySchema.parse({ timezone, hours: ranges });
const WEEKDAYS_9_TO_6 = { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, open: '09:00', close: '18:00' };

describe('availability hours (SPEC §15)', () => {
  it('no hours: always within them, no next opening', () => {
    const always = availabilitySchema.parse({ timezone: 'Europe/Paris' });
    expect(always.hours).toEqual([]);
    expect(withinHours(always, at('2026-03-29T01:30:00Z'))).toBe(true);
    expect(nextOpening(always, at('2026-03-29T01:30:00Z'))).toBeNull();
  });

  it('within the hours in the widget time zone: open included, close excluded; null next opening', () => {
    const paris = hours('Europe/Paris', { ...WEEKDAYS_9_TO_6, days: [...WEEKDAYS_9_TO_6.days] });
    // Wednesday 2026-01-14, CET (UTC+1).
    expect(withinHours(paris, at('2026-01-14T07:59:00Z'))).toBe(false);
    expect(withinHours(paris, at('2026-01-14T08:00:00Z'))).toBe(true);
    expect(withinHours(paris, at('2026-01-14T16:59:59Z'))).toBe(true);
    expect(withinHours(paris, at('2026-01-14T17:00:00Z'))).toBe(false);
    expect(next(paris, '2026-01-14T12:00:00Z')).toBeNull();
    expect(next(paris, '2026-01-14T06:00:00Z')).toBe('2026-01-14T08:00:00.000Z');
    expect(next(paris, '2026-01-14T17:00:00Z')).toBe('2026-01-15T08:00:00.000Z');
    // Saturday: Monday 09:00.
    expect(next(paris, '2026-01-17T10:00:00Z')).toBe('2026-01-19T08:00:00.000Z');
  });

  describe('Europe/Paris, spring forward (Sunday 2026-03-29, 02:00 CET → 03:00 CEST at 01:00Z)', () => {
    const paris = hours('Europe/Paris', { ...WEEKDAYS_9_TO_6, days: [...WEEKDAYS_9_TO_6.days] });

    it('Friday evening → Monday 09:00 in summer time (07:00Z, no longer 08:00Z)', () => {
      expect(next(paris, '2026-03-27T18:00:00Z')).toBe('2026-03-30T07:00:00.000Z');
      expect(withinHours(paris, at('2026-03-30T06:59:00Z'))).toBe(false);
      expect(withinHours(paris, at('2026-03-30T07:00:00Z'))).toBe(true);
      expect(withinHours(paris, at('2026-03-30T15:59:00Z'))).toBe(true);
      expect(withinHours(paris, at('2026-03-30T16:00:00Z'))).toBe(false);
    });

    it('an opening in the skipped hour (02:30) opens when the clock jumps to 03:00 CEST', () => {
      const night = hours('Europe/Paris', { days: ['sun'], open: '02:30', close: '05:00' });
      expect(next(night, '2026-03-28T12:00:00Z')).toBe('2026-03-29T01:00:00.000Z');
      expect(withinHours(night, at('2026-03-29T00:59:00Z'))).toBe(false); // 01:59 CET
      expect(withinHours(night, at('2026-03-29T01:00:00Z'))).toBe(true); // 03:00 CEST
      expect(withinHours(night, at('2026-03-29T02:59:00Z'))).toBe(true); // 04:59 CEST
      expect(withinHours(night, at('2026-03-29T03:00:00Z'))).toBe(false); // 05:00 CEST
      // The Sunday after, an ordinary one: 02:30 CEST.
      expect(next(night, '2026-03-29T03:00:00Z')).toBe('2026-04-05T00:30:00.000Z');
    });

    it('an opening at 02:00 (the start of the skipped hour) opens at the jump too', () => {
      const night = hours('Europe/Paris', { days: ['sun'], open: '02:00', close: '04:00' });
      expect(next(night, '2026-03-28T23:00:00Z')).toBe('2026-03-29T01:00:00.000Z');
    });
  });

  describe('Europe/Paris, fall back (Sunday 2026-10-25, 03:00 CEST → 02:00 CET at 01:00Z)', () => {
    const paris = hours('Europe/Paris', { ...WEEKDAYS_9_TO_6, days: [...WEEKDAYS_9_TO_6.days] });

    it('Friday evening → Monday 09:00 in winter time (08:00Z)', () => {
      expect(next(paris, '2026-10-23T18:00:00Z')).toBe('2026-10-26T08:00:00.000Z');
      expect(withinHours(paris, at('2026-10-26T07:59:00Z'))).toBe(false);
      expect(withinHours(paris, at('2026-10-26T08:00:00Z'))).toBe(true);
    });

    it('an opening in the repeated hour opens at its first occurrence, and again at its second after closing between', () => {
      const night = hours('Europe/Paris', { days: ['sun'], open: '02:00', close: '02:45' });
      expect(next(night, '2026-10-24T12:00:00Z')).toBe('2026-10-25T00:00:00.000Z'); // 02:00 CEST
      expect(withinHours(night, at('2026-10-25T00:44:00Z'))).toBe(true); // 02:44 CEST
      expect(withinHours(night, at('2026-10-25T00:50:00Z'))).toBe(false); // 02:50 CEST
      expect(next(night, '2026-10-25T00:50:00Z')).toBe('2026-10-25T01:00:00.000Z'); // 02:00 CET
    });

    it('the clock going back into a range opens it at the change, even when the range began before', () => {
      const night = hours('Europe/Paris', { days: ['sun'], open: '01:30', close: '02:45' });
      expect(withinHours(night, at('2026-10-25T00:50:00Z'))).toBe(false); // 02:50 CEST
      expect(next(night, '2026-10-25T00:50:00Z')).toBe('2026-10-25T01:00:00.000Z'); // back to 02:00 CET
    });
  });

  describe('America/New_York', () => {
    const newYork = hours('America/New_York', { ...WEEKDAYS_9_TO_6, days: [...WEEKDAYS_9_TO_6.days], close: '17:00' });

    it('spring forward (Sunday 2026-03-08): Friday evening → Monday 09:00 EDT (13:00Z)', () => {
      expect(next(newYork, '2026-03-06T23:00:00Z')).toBe('2026-03-09T13:00:00.000Z');
      expect(withinHours(newYork, at('2026-03-06T21:59:00Z'))).toBe(true); // 16:59 EST
      expect(withinHours(newYork, at('2026-03-09T12:59:00Z'))).toBe(false);
    });

    it('fall back (Sunday 2026-11-01): Friday evening → Monday 09:00 EST (14:00Z)', () => {
      expect(next(newYork, '2026-10-30T22:00:00Z')).toBe('2026-11-02T14:00:00.000Z');
      expect(withinHours(newYork, at('2026-11-02T13:59:00Z'))).toBe(false);
      expect(withinHours(newYork, at('2026-11-02T14:00:00Z'))).toBe(true);
    });
  });

  it('a night past midnight as two ranges (…–24:00 and 00:00–…) is one stretch', () => {
    const night = hours('UTC', { days: ['fri'], open: '22:00', close: '24:00' }, { days: ['sat'], open: '00:00', close: '02:00' });
    expect(withinHours(night, at('2026-01-16T23:59:00Z'))).toBe(true); // Friday
    expect(withinHours(night, at('2026-01-17T00:00:00Z'))).toBe(true); // Saturday
    expect(withinHours(night, at('2026-01-17T02:00:00Z'))).toBe(false);
    expect(next(night, '2026-01-17T02:00:00Z')).toBe('2026-01-23T22:00:00.000Z');
  });

  it('one day a week: a week later, from just after closing', () => {
    const mondays = hours('Asia/Tokyo', { days: ['mon'], open: '10:00', close: '11:00' });
    expect(next(mondays, '2026-01-19T02:00:00Z')).toBe('2026-01-26T01:00:00.000Z'); // 11:00 JST → next Monday 10:00 JST
  });

  it('the schema refuses an unknown time zone, a bad day, a bad time, open not before close, a day twice', () => {
    const problems = (value: unknown) => {
      const r = availabilitySchema.safeParse(value);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(problems({ timezone: 'Europe/Pariss' })).toEqual(['timezone']);
    expect(problems({ timezone: 'Europe/Paris', hours: [{ days: ['monday'], open: '09:00', close: '18:00' }] })).toEqual(['hours.0.days.0']);
    expect(problems({ timezone: 'Europe/Paris', hours: [{ days: ['mon'], open: '9:00', close: '18:00' }] })).toEqual(['hours.0.open']);
    expect(problems({ timezone: 'Europe/Paris', hours: [{ days: ['mon'], open: '09:00', close: '24:01' }] })).toEqual(['hours.0.close']);
    expect(problems({ timezone: 'Europe/Paris', hours: [{ days: ['mon'], open: '18:00', close: '09:00' }] })).toEqual(['hours.0.close']);
    expect(problems({ timezone: 'Europe/Paris', hours: [{ days: ['mon', 'mon'], open: '09:00', close: '18:00' }] })).toEqual(['hours.0.days']);
    expect(problems({ timezone: 'Europe/Paris', replyTime: 'weeks' })).toEqual(['replyTime']);
    expect(problems({ timezone: 'Europe/Paris', hours: [{ days: ['sun'], open: '00:00', close: '24:00' }], replyTime: 'day' })).toEqual([]);
  });
});
