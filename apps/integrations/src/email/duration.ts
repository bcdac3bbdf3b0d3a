/** A duration as the environment writes it (`EMAIL_UNREAD_DELAY`): `500ms`, `90s`, `5m`, `2h`, `1d`; a bare number is seconds. */
const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return null;
  const ms = Number(match[1]) * UNITS[match[2] ?? 's'];
  return Number.isFinite(ms) ? Math.round(ms) : null;
}
