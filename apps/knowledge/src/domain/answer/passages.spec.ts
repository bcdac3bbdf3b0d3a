import { splitSentences } from './passages';

describe('splitSentences', () => {
  it('splits blocks into sentences and keeps headings as their own', () => {
    expect(splitSentences('Reset it\nOpen the page. Then click Save! Done? yes.\n2. Second step.')).toEqual([
      { text: 'Reset it', block: 0 },
      { text: 'Open the page.', block: 1 },
      { text: 'Then click Save!', block: 1 },
      { text: 'Done? yes.', block: 1 },
      { text: '2. Second step.', block: 2 },
    ]);
  });

  it('does not split inside numbers or abbreviations followed by lower case', () => {
    expect(splitSentences('Version 2.5 is out, e.g. today.')).toHaveLength(1);
  });

  it('cuts an over-long run into bounded pieces', () => {
    const pieces = splitSentences('word '.repeat(400));
    expect(pieces.length).toBeGreaterThan(1);
    expect(Math.max(...pieces.map((p) => p.text.length))).toBeLessThanOrEqual(600);
  });
});
