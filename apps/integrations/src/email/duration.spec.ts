import { parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1s', 1_000],
    ['500ms', 500],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['30', 30_000],
    [' 1.5m ', 90_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'm', '5 minutes', '-1s', '1y', '1e3s', 'abc'])('%j is not a duration', (text) => expect(parseDuration(text)).toBeNull());
});
