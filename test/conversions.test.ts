/**
 * The conversions `date`, `instant`, `decimal` and `integer` accept exactly what the matching
 * contract format accepts (ajv with ajv-formats, and Arbiter's `decimal`), on generated strings
 * crowded at the edges of each format; so does reading a member the contract types with the
 * format. A string a conversion refuses makes the rule unknown, never false, on both evaluators.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAjv } from '../engine/contracts/validate.js';
import { read, EvalError } from '../engine/eval/runtime.js';
import { FUNCTIONS } from '../engine/functions/index.js';
import { decide } from '../engine/index.js';
import { Rational } from '../engine/values/rational.js';
import { compileMini } from './helpers/policy.js';

const ajv = createAjv();
const accepts = (format: string) => ajv.compile({ type: 'string', format });
const convert = (fn: string, s: string) => FUNCTIONS.get(fn)!.apply([s], ['string'], undefined);

const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);
const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
const YEAR = pick('0000', '0099', '1900', '1970', '2000', '2023', '2024', '2100', '9999', '999', '20240');
const DAY = fc.tuple(YEAR, fc.oneof(pick('00', '01', '02', '12', '13'), two), fc.oneof(pick('00', '01', '28', '29', '30', '31', '32'), two), pick('-', '-', '-', '/'))
  .map(([y, m, d, sep]) => `${y}${sep}${m}${sep}${d}`);
const CLOCK = fc.tuple(fc.oneof(pick('00', '10', '23', '24'), two), fc.oneof(pick('00', '59', '60'), two), fc.oneof(pick('00', '59', '60', '61'), two),
  pick('', '', '.5', '.', '.000000001', '.999')).map(([h, m, s, f]) => `${h}:${m}:${s}${f}`);
const ZONE = pick('Z', 'z', '', '+00:00', '-00:00', '+14:00', '-23:59', '+24:00', '+02', '+0200', '+02:60', '-00:01', '+01:01', 'UTC');
const SEPARATOR = pick('T', 't', ' ', '\t', '\n', '\u00a0', '\u2028', '\u3000', 'x', 'TT', '');
const EDGE = pick('', '', '', ' ', '\n', 'x');
const REAL_DAY = fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((t) => `${String(t.getUTCFullYear()).padStart(4, '0')}-${t.toISOString().slice(-19, -14)}`);
const REAL_CLOCK = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }), pick('', '.5', '.000000001'))
  .map(([h, m, s, f]) => `${[h, m, s].map((n) => String(n).padStart(2, '0')).join(':')}${f}`);
const DATES = fc.oneof(REAL_DAY, fc.tuple(EDGE, DAY, EDGE).map((p) => p.join('')), fc.string({ maxLength: 12 }));
const INSTANTS = fc.oneof(
  fc.tuple(REAL_DAY, SEPARATOR, REAL_CLOCK, ZONE).map((p) => p.join('')),
  fc.tuple(EDGE, DAY, SEPARATOR, CLOCK, ZONE, EDGE).map((p) => p.join('')),
  // Leap seconds: ajv accepts `:60` only at 23:59 UTC, whatever the offset says.
  fc.tuple(DAY, pick('T23:59:60', 'T00:59:60', 'T10:59:60', 'T22:59:60', 'T23:58:60', 'T23:59:60.5'), ZONE).map((p) => p.join('')),
  fc.string({ maxLength: 30 }),
);
const DIGITS = fc.oneof(pick('', '0', '00', '01', '1', '10', '123', '9'.repeat(99), '1'.repeat(100), '1'.repeat(101)), fc.stringMatching(/^[0-9]{0,6}$/));
const DECIMALS = fc.oneof(
  fc.tuple(pick('', '-'), fc.oneof(pick('0'), fc.stringMatching(/^[1-9][0-9]{0,20}$/)), fc.oneof(pick(''), fc.stringMatching(/^\.[0-9]{1,20}$/))).map((p) => p.join('')),
  fc.tuple(EDGE, pick('', '', '-', '+', '--'), DIGITS, pick('', '', '.', '.0', '.50', `.${'0'.repeat(98)}1`, '.5.5'), pick('', '', '', 'e5', 'E-1'), EDGE).map((p) => p.join('')),
  fc.string({ maxLength: 10 }),
);

function sameAcceptance(fn: string, format: string, strings: fc.Arbitrary<string>, alsoRefuse: (s: string) => boolean = () => false): void {
  const valid = accepts(format);
  let both = 0;
  fc.assert(fc.property(strings, (s) => {
    const ok = valid(s) && !alsoRefuse(s);
    expect({ s, accepted: convert(fn, s) !== undefined }).toEqual({ s, accepted: ok });
    if (ok) both++;
  }), { numRuns: 5000, seed: 20261121 });
  // Most generated strings are near misses; enough of them must be valid for the test to mean something.
  expect(both).toBeGreaterThan(500);
}

describe('conversions accept exactly what the contract format accepts (property, against ajv)', () => {
  it('`date` and `format: date`', () => sameAcceptance('date', 'date', DATES));
  it('`instant` and `format: date-time`', () => sameAcceptance('instant', 'date-time', INSTANTS));
  it('`decimal` and `format: decimal`', () => sameAcceptance('decimal', 'decimal', DECIMALS));
  it('`integer` and a `format: decimal` written without a fraction', () => sameAcceptance('integer', 'decimal', DECIMALS, (s) => s.includes('.')));

  it('read a member the contract types with the format wherever the contract accepts it, to the same value', () => {
    for (const [fn, format, strings] of [['date', 'date', DATES], ['instant', 'date-time', INSTANTS], ['decimal', 'decimal', DECIMALS]] as const) {
      const valid = accepts(format);
      fc.assert(fc.property(strings, (s) => {
        const member = read[fn](s);
        expect(member instanceof EvalError).toBe(!valid(s));
        if (valid(s)) expect(member).toEqual(convert(fn, s));
      }), { numRuns: 3000, seed: 20261122 });
    }
  });

  it('`integer` is the exact value of the spelling, past the range of a double', () => {
    expect(convert('integer', '-0')).toEqual(Rational.ZERO);
    expect(convert('integer', `9${'0'.repeat(40)}`)).toEqual(Rational.parse(`9${'0'.repeat(40)}`));
    expect(convert('integer', '12.0')).toBeUndefined();
    expect(convert('decimal', '12.0')).toEqual(Rational.of(12n));
  });

  it('read only strings: a number, a boolean or null has no text to read', () => {
    for (const fn of ['date', 'instant', 'decimal', 'integer']) {
      for (const v of [12, true, null, ['2026-01-01']]) expect(FUNCTIONS.get(fn)!.apply([v], ['any'], undefined)).toBeUndefined();
    }
  });
});

describe('a conversion that does not parse', () => {
  const policy = (onUnknown: 'review' | 'reject') => compileMini({
    contract: { type: 'object', additionalProperties: false, required: ['value'], properties: { value: { type: 'string' } } },
    action: { on_unknown: onUnknown },
    rules: {
      rules: [
        { id: 'overdue', outcome: 'reject', when: { fact: { date: 'proposal.value' }, operator: 'lessThan', value: { fact: 'today' } } },
        { id: 'large', outcome: 'review', when: { fact: { decimal: 'proposal.value' }, operator: 'greaterThan', value: 1000 } },
      ],
    },
  });
  const run = (p: ReturnType<typeof policy>, value: string) => {
    const request = { action: 't', proposal: { value }, now: '2026-11-21T10:00:00Z', explain: 'full' as const };
    const compiled = decide(p, request);
    expect(decide(p, request, { evaluator: 'interpreted' })).toEqual(compiled);
    return compiled;
  };

  it('makes the rule unknown, so a reject rule rejects and a review rule reviews, never approves', () => {
    const d = run(policy('review'), 'n/a');
    expect(d.outcome).toBe('reject');
    expect(d.fired).toEqual({ enforce: [], shadow: [] });
    expect(d.errors).toEqual([]);
    expect(d.reasons).toEqual([
      { kind: 'unknown', rule: 'overdue', outcome: 'reject', message: 'rule `overdue` could not be decided: `date(proposal.value)` is missing' },
      { kind: 'unknown', rule: 'large', outcome: 'review', message: 'rule `large` could not be decided: `decimal(proposal.value)` is missing' },
    ]);
    expect(run(policy('reject'), 'n/a').reasons.map((r) => r.outcome)).toEqual(['reject', 'reject']);
  });

  it('is read as its own format and no other', () => {
    const asDate = run(policy('review'), '2026-01-31');
    expect(asDate.outcome).toBe('reject');
    expect(asDate.fired.enforce).toEqual(['overdue']);
    expect(asDate.reasons.map((r) => [r.kind, r.rule])).toEqual([['rule', 'overdue'], ['unknown', 'large']]);
    const asAmount = run(policy('review'), '1017.50');
    expect(asAmount.fired.enforce).toEqual(['large']);
    expect(asAmount.reasons.map((r) => [r.kind, r.rule, r.outcome])).toEqual([['unknown', 'overdue', 'reject'], ['rule', 'large', 'review']]);
  });
});

describe('members a contract types as `date-time`', () => {
  it('read when date and time are separated by any whitespace the format allows (a tab, a no-break space)', () => {
    const p = compileMini({
      contract: { type: 'object', additionalProperties: false, required: ['at'], properties: { at: { type: 'string', format: 'date-time' } } },
      rules: { rules: [{ id: 'past', outcome: 'review', when: { fact: 'proposal.at', operator: 'lessThan', value: { fact: 'now' } } }] },
    });
    for (const at of ['2026-01-01\t10:00:00Z', '2026-01-01\u00a010:00:00Z']) {
      const d = decide(p, { action: 't', proposal: { at }, now: '2026-11-21T10:00:00Z' });
      expect(d.errors).toEqual([]);
      expect(d.fired.enforce).toEqual(['past']);
      expect(d.reasons).toEqual([{ kind: 'rule', rule: 'past', outcome: 'review', message: 'rule `past` matched' }]);
    }
  });
});
