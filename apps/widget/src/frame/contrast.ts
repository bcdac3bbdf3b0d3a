/** WCAG 2 contrast, for theme colours a site picks (issue 24: text on a theme colour must reach 4.5:1). */
export const TEXT_CONTRAST = 4.5;

const channels = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
const toHex = (rgb: number[]) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

/** Relative luminance of a `#rrggbb` colour. */
export function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Contrast ratio of two `#rrggbb` colours, 1..21. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Text to put on `background`: `preferred` when it reads, else black or white, whichever reads better. */
export function readableOn(background: string, preferred: string): string {
  if (contrast(background, preferred) >= TEXT_CONTRAST) return preferred;
  return contrast(background, '#000000') >= contrast(background, '#ffffff') ? '#000000' : '#ffffff';
}

/** `color` as text on `background`: itself when it reads, else moved step by step toward black or white until it does. */
export function readableAgainst(color: string, background: string): string {
  if (contrast(color, background) >= TEXT_CONTRAST) return color;
  const target = luminance(background) > 0.5 ? [0, 0, 0] : [255, 255, 255];
  const from = channels(color);
  for (let step = 1; step <= 20; step++) {
    const mixed = toHex(from.map((c, i) => c + ((target[i] - c) * step) / 20));
    if (contrast(mixed, background) >= TEXT_CONTRAST) return mixed;
  }
  return toHex(target);
}
