const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const HOUR = 3_600_000;

/**
 * For availability specs (SPEC §15): a fixed-offset zone (`Etc/GMT±N`, no daylight saving) where it is now between
 * 10:00 and 14:00, so opening hours set "around now" there never cross midnight, whenever the spec runs.
 */
export function noonZone(now = new Date()) {
  const offset = 12 - now.getUTCHours(); // -11 … 12; Etc/GMT-N is UTC+N
  const timezone = offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
  const local = new Date(now.getTime() + offset * HOUR);
  return {
    timezone,
    /** Today's day name there (mon … sun). */
    day: DAYS[local.getUTCDay()]!,
    /** The hour it is there now (10 … 13). */
    hour: local.getUTCHours(),
    /** `HH:00`. */
    hh: (h: number) => `${String(h).padStart(2, '0')}:00`,
    /** The instant (ISO) of `hour`:00 today there; 24 is tomorrow's midnight. */
    todayAt: (hour: number) => new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), hour) - offset * HOUR).toISOString(),
    days: DAYS,
  };
}
