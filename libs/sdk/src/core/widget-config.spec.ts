import { normalizeConfig } from './widget-config';

describe('normalizeConfig: availability (SPEC §15)', () => {
  it('keeps what the server said', () => {
    const availability = { online: false, nextOpenAt: '2026-03-30T07:00:00.000Z', replyTime: 'hours' };
    expect(normalizeConfig({ availability }).availability).toEqual(availability);
  });

  it('null from an older server, or a malformed one; a bad instant or reply time is dropped', () => {
    expect(normalizeConfig({}).availability).toBeNull();
    expect(normalizeConfig({ availability: { online: 'yes' } }).availability).toBeNull();
    expect(normalizeConfig({ availability: { online: true, nextOpenAt: 'soon', replyTime: 'weeks' } }).availability).toEqual({ online: true, nextOpenAt: null, replyTime: null });
  });
});
