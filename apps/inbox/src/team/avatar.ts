/** Initials from a name ("Ada Lovelace" → "AL"), the avatar when an account has no picture. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((w) => Array.from(w)[0]?.toUpperCase() ?? '').join('') || '?';
}

/** One of eight avatar colours, the same for an account on every page (classes: inline styles are not allowed by the CSP). */
export function tint(id: string): string {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `tint-${h % 8}`;
}
