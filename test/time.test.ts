import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDate, parseInstant } from '../engine/values/time.js';

const pad = (n: number, w: number) => String(n).padStart(w, '0');
/** What the instant is, by a route that does not share parseInstant's arithmetic. */
function expectedSeconds(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, 0);
  return t.getTime() / 1000;
}

describe('calendar arithmetic', () => {
  it('reads years 0000 to 0099 as themselves, not as 1900 to 1999', () => {
    expect(parseInstant('0000-01-01T00:00:00Z')?.toNumber()).toBe(-62167219200);
    expect(parseInstant('0099-12-31T23:59:59Z')?.toNumber()).toBe(expectedSeconds(99, 12, 31, 23, 59, 59));
    expect(parseDate('0000-03-01')).toBe(-719468);
    expect(parseDate('0050-06-15')! * 86400).toBe(expectedSeconds(50, 6, 15, 0, 0, 0));
  });

  it('reads a leap second as the instant after it', () => {
    expect(parseInstant('2016-12-31T23:59:60Z')?.toNumber()).toBe(parseInstant('2017-01-01T00:00:00Z')?.toNumber());
  });

  it('agrees with the platform calendar on every valid date-time of years 0000 to 9999 (property)', () => {
    fc.assert(fc.property(
      fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
      (t) => {
        const [y, mo, d, h, mi, s] = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()];
        const text = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}Z`;
        expect(parseInstant(text)?.toNumber()).toBe(expectedSeconds(y, mo, d, h, mi, s));
        expect(parseDate(text.slice(0, 10))).toBe(Math.floor(expectedSeconds(y, mo, d, 0, 0, 0) / 86400));
      },
    ), { numRuns: 2000 });
  });
});
