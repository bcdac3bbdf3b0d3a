import { contrast, readableAgainst, readableOn, TEXT_CONTRAST } from './contrast';

const LIGHT_BG = '#ffffff';
const DARK_BG = '#16191d';

describe('theme contrast', () => {
  it('measures WCAG contrast', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });

  it('keeps a readable text colour on the theme colour, else picks black or white', () => {
    expect(readableOn('#1f6feb', '#ffffff')).toBe('#ffffff');
    expect(readableOn('#ffff00', '#ffffff')).toBe('#000000');
    expect(readableOn('#000080', '#000000')).toBe('#ffffff');
  });

  it('moves a theme colour used as text until it reads on both backgrounds, whatever a site picks', () => {
    for (const color of ['#ffff00', '#00ff00', '#ff0000', '#1f6feb', '#000080', '#000000', '#ffffff', '#2f81f7']) {
      for (const bg of [LIGHT_BG, DARK_BG]) expect(contrast(readableAgainst(color, bg), bg)).toBeGreaterThanOrEqual(TEXT_CONTRAST);
    }
    expect(readableAgainst('#1a4fd0', LIGHT_BG)).toBe('#1a4fd0');
  });
});
