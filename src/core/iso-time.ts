// isoTime(ms): Date#toISOString, computed from the number for the years 1000–9999 (a turn stamps its state with it).

const DAY = 86_400_000;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * The same string as `new Date(ms).toISOString()`, several times faster on V8 for four-digit years (civil date
 * from the day number, H. Hinnant's algorithm, no Date object); any other time, a fraction or an invalid one
 * (which throws the same RangeError) goes to toISOString itself.
 */
export function isoTime(ms: number): string {
  // 1000-01-01 and 10000-01-01 UTC: outside them toISOString has another year format.
  if (!Number.isInteger(ms) || ms < -30_610_224_000_000 || ms >= 253_402_300_800_000) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY);
  let rest = ms - days * DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(h)}:${pad2(m)}:${pad2(s)}.${pad3(rest - s * 1000)}Z`;
}
