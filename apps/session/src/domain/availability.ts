import type { AvailabilityConfig, OpeningHours, Weekday } from '@widget/contracts';
import { WEEKDAYS } from '@widget/contracts';

/**
 * SPEC §15 opening hours, as pure functions of an instant, with `Intl` for the time zone's rules (no library: the
 * runtime's ICU data is the tz database). A range is [open, close) in the zone's wall-clock time on the named days.
 * Daylight-saving changes: an opening in the skipped hour opens when the clock jumps past it (the first instant
 * whose wall time is at or after it); a wall time that occurs twice opens at its first occurrence (and, if the range
 * was closed in between, at the second too). See docs/api.md, "Availability".
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

interface Wall {
  /** Days since 1970-01-01 of the local calendar date. */
  day: number;
  weekday: Weekday;
  /** Minutes since local midnight. */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's wall-clock reading at `t` as milliseconds of a UTC clock (so `local(t) - t` is the offset). */
function local(t: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(t))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  // Some ICU versions write midnight as 24 even with h23.
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour! % 24, parts.minute!, parts.second!) + (t % 1000 + 1000) % 1000;
}

function wallAt(t: number, timeZone: string): Wall {
  const l = local(t, timeZone);
  const day = Math.floor(l / DAY);
  // 1970-01-01 was a Thursday: WEEKDAYS[3].
  return { day, weekday: WEEKDAYS[(((day + 3) % 7) + 7) % 7]!, minutes: Math.floor((l - day * DAY) / MINUTE) };
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const inRange = (wall: Wall, h: OpeningHours) => h.days.includes(wall.weekday) && wall.minutes >= minutesOf(h.open) && wall.minutes < minutesOf(h.close);

/** Within the hours at `t`; always, without hours. */
export function withinHours(config: Pick<AvailabilityConfig, 'timezone' | 'hours'>, t: Date): boolean {
  if (config.hours.length === 0) return true;
  const wall = wallAt(t.getTime(), config.timezone);
  return config.hours.some((h) => inRange(wall, h));
}

/**
 * The instants at which the local wall time `minutes` of local date `day` occurs: one, two (a time repeated when
 * the clock goes back), or, when the clock skipped it, the instant of the jump (the first reading past it).
 */
function occurrences(day: number, minutes: number, timeZone: string): number[] {
  const wanted = day * DAY + minutes * MINUTE;
  // The offsets a day either side: a zone changes its offset at most once in between.
  const offsets = new Set([local(wanted - DAY, timeZone) - (wanted - DAY), local(wanted + DAY, timeZone) - (wanted + DAY)]);
  const found = [...offsets].map((o) => wanted - o).filter((t) => local(t, timeZone) === wanted);
  if (found.length > 0) return [...new Set(found)].sort((a, b) => a - b);
  // Skipped: the jump lies between the reading before it and the one after.
  return [firstMinute(wanted - Math.max(...offsets), wanted - Math.min(...offsets), (t) => local(t, timeZone) >= wanted)];
}

/** The first minute in (before, after] at which `reached` holds, given it does not at `before` and does at `after`. */
function firstMinute(before: number, after: number, reached: (t: number) => boolean): number {
  while (after - before > MINUTE) {
    const mid = before + Math.floor((after - before) / 2 / MINUTE) * MINUTE;
    if (reached(mid)) after = mid;
    else before = mid;
  }
  return after;
}

/** The instants in [from, from + 8 days] where the zone's offset changes (found to the minute). */
function offsetChanges(from: number, timeZone: string): number[] {
  const offsetAt = (t: number) => local(t, timeZone) - t;
  const changes: number[] = [];
  for (let start = from; start < from + 8 * DAY; start += DAY) {
    const first = offsetAt(start);
    if (first !== offsetAt(start + DAY)) changes.push(firstMinute(start, start + DAY, (t) => offsetAt(t) !== first));
  }
  return changes;
}

/**
 * The first instant after `t` at which the hours open, when `t` is outside them; null within them or without
 * hours. Within a week and a day there is always one (every range names a day). Opening is either the clock
 * reaching a range's `open` or an offset change moving it into a range: both are candidates, the earliest one
 * that is within the hours wins.
 */
export function nextOpening(config: Pick<AvailabilityConfig, 'timezone' | 'hours'>, t: Date): Date | null {
  if (withinHours(config, t)) return null;
  const now = t.getTime();
  const today = wallAt(now, config.timezone).day;
  const candidates: number[] = offsetChanges(now, config.timezone);
  for (let day = today; day <= today + 8; day++) {
    const weekday = WEEKDAYS[(((day + 3) % 7) + 7) % 7]!;
    for (const h of config.hours) if (h.days.includes(weekday)) candidates.push(...occurrences(day, minutesOf(h.open), config.timezone));
  }
  const next = candidates
    .filter((c) => c > now)
    .sort((a, b) => a - b)
    .find((c) => withinHours(config, new Date(c)));
  return next === undefined ? null : new Date(next);
}
