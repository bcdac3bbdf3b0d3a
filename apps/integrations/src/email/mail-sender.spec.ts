import { MAIL_RETRY_MAX_MS, mailRetryDelay } from './mail-sender';

describe('mailRetryDelay', () => {
  it('waits EMAIL_RETRY_BASE after the first attempt and doubles, at most an hour', () => {
    expect([1, 2, 3, 4, 5].map((n) => mailRetryDelay(n, 30_000))).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
    expect(mailRetryDelay(8, 30_000)).toBe(MAIL_RETRY_MAX_MS);
    expect(mailRetryDelay(500, 30_000)).toBe(MAIL_RETRY_MAX_MS);
  });
});
