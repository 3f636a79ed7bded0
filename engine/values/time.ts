/**
 * Time values, all exact: an instant is a Rational count of seconds since 1970-01-01T00:00:00Z
 * (offsets applied, fractional seconds kept to the last digit), a calendar date is an integer
 * count of days since 1970-01-01, and a duration is a Rational count of seconds.
 */
import { Rational } from './rational.js';

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DURATION_PART = /(\d+(?:\.\d+)?)([dhms])/gy;
const UNIT_SECONDS: Record<string, bigint> = { d: 86400n, h: 3600n, m: 60n, s: 1n };
const DAY_MS = 86_400_000;

/** Seconds since the epoch of an RFC 3339 date-time, or undefined when `text` is not one. */
export function parseInstant(text: string): Rational | undefined {
  const m = INSTANT.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
  const month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (!validDate(Number(y), month, day) || hour > 23 || minute > 59 || second > 60) return undefined;
  let ms = daysFromCivil(Number(y), month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000;
  if (!z) {
    const off = Number(oh) * 60 + Number(om ?? '0');
    if (Number(oh) > 23 || Number(om ?? '0') > 59) return undefined;
    ms -= (sign === '-' ? -off : off) * 60_000;
  }
  const whole = BigInt(ms / 1000);
  if (!frac) return Rational.of(whole);
  const scale = 10n ** BigInt(frac.length);
  return Rational.of(whole * scale + BigInt(frac), scale);
}

/** Days since the epoch of a `YYYY-MM-DD` date, or undefined when `text` is not one. */
export function parseDate(text: string): number | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  if (!validDate(y, mo, d)) return undefined;
  return daysFromCivil(y, mo, d);
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date, for every year (Howard Hinnant's
 * algorithm). Not Date.UTC: it reads years 0 to 99 as 1900 to 1999.
 */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Seconds in a duration such as `90d`, `36h`, `1h30m`, `-15m` or `0.5s`; undefined when malformed. */
export function parseDuration(text: string): Rational | undefined {
  const neg = text.startsWith('-');
  const body = neg ? text.slice(1) : text;
  if (body === '') return undefined;
  DURATION_PART.lastIndex = 0;
  let total = Rational.ZERO;
  let end = 0;
  for (let m = DURATION_PART.exec(body); m; m = DURATION_PART.exec(body)) {
    const amount = Rational.parse(m[1] as string) as Rational;
    total = total.add(amount.mul(Rational.of(UNIT_SECONDS[m[2] as string] as bigint)));
    end = DURATION_PART.lastIndex;
  }
  if (end !== body.length) return undefined;
  return neg ? total.neg() : total;
}

/** The UTC calendar date (days since the epoch) that contains an instant. */
export function dateOf(instant: Rational): number {
  const s = instant.floor();
  const q = s / 86400n;
  return Number(s % 86400n < 0n ? q - 1n : q);
}

export function formatInstant(instant: Rational): string {
  const secs = instant.floor();
  const iso = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  const frac = instant.sub(Rational.of(secs)).toDecimal(12).text;
  return `${iso}${frac === '0' ? '' : frac.slice(1)}Z`;
}

export function formatDate(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/** The shortest spelling in one unit: `90d`, `36h`, `90m`, `1.5s`. */
export function formatDuration(seconds: Rational): string {
  for (const [unit, size] of Object.entries(UNIT_SECONDS)) {
    const n = seconds.div(Rational.of(size));
    if (n.isInteger() && !n.isZero()) return `${n.toDecimal().text}${unit}`;
  }
  return `${seconds.toString()}s`;
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] as number;
  return d <= days;
}
