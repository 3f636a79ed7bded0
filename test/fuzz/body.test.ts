/**
 * The JSON body reader (server/body.ts) against JSON.parse as the oracle: on text JSON.parse
 * accepts, the reader accepts exactly when the text has no duplicate member, no number beyond a
 * double and stays within the limits, and then gives JSON.parse's value; on text JSON.parse
 * refuses, the reader refuses with `malformed_json`. Never another error, never a throw of
 * something that is not an HttpError. The UTF-8 decoder against Buffer's round trip.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, parseJsonBody } from '../../server/body.js';
import { HttpError } from '../../server/errors.js';
import { fuzzParams, fuzzTimeout } from '../helpers/fuzz.js';
import { textFacts } from '../helpers/json-members.js';

const LIMITS = { maxDepth: 12, maxStringLength: 40 };

function depthOf(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depthOf));
  if (v && typeof v === 'object') return 1 + Math.max(0, ...Object.values(v).map(depthOf));
  return 0;
}
function longestString(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return Math.max(0, ...v.map(longestString));
  if (v && typeof v === 'object') return Math.max(0, ...Object.entries(v).map(([k, x]) => Math.max(k.length, longestString(x))));
  return 0;
}

/** Deep equality on JSON values that tells -0 from 0 and treats `constructor` and `__proto__` as plain members. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return Object.getPrototypeOf(a) === Object.getPrototypeOf(b) && ka.length === kb.length
      && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

type Read = { ok: true; value: unknown } | { ok: false; code: string };
function read(text: string): Read {
  try {
    return { ok: true, value: parseJsonBody(text, LIMITS) };
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    return { ok: false, code: e.code };
  }
}

/** The oracle's verdict. A string's length is limited as written, escapes undecoded (the reader does not decode to count). */
function check(text: string): void {
  const got = read(text);
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    expect(got).toMatchObject({ ok: false });
    if (!got.ok) expect(['malformed_json', 'nesting_too_deep', 'string_too_long', 'number_out_of_range']).toContain(got.code);
    return;
  }
  const tooDeep = depthOf(value) > LIMITS.maxDepth;
  const { duplicate: dup, infinite: inf, longestRaw } = textFacts(text);
  if (got.ok) {
    expect(same(got.value, value), `not the value JSON.parse gives: ${text.slice(0, 200)}`).toBe(true);
    expect(dup).toBe(false);
    expect(inf).toBe(false);
    expect(tooDeep).toBe(false);
    expect(longestString(value)).toBeLessThanOrEqual(LIMITS.maxStringLength);
    return;
  }
  const because = { malformed_json: dup, number_out_of_range: inf, nesting_too_deep: tooDeep, string_too_long: longestRaw > LIMITS.maxStringLength }[got.code];
  expect(because, `refused ${got.code} without cause: ${text.slice(0, 200)}`).toBe(true);
}

const key = fc.oneof(fc.constantFrom('a', 'b', '__proto__', 'constructor', '', 'a\u0000', 'é', '\ud83d\ude00'), fc.string({ maxLength: 6 }));
const spell = (k: string) => fc.constantFrom(JSON.stringify(k), JSON.stringify(k).replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`));
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom('1e309', '-1e309', '1e308', '-0', '0.0', '9007199254740993', '1E400', '1e-400', '4.9e-324', `1${'0'.repeat(310)}`));
const ws = fc.constantFrom('', ' ', '\n', '\t', '\r\n ');

/** JSON text built member by member, so duplicates (also through escapes) and odd spellings occur. */
const text: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof({ maxDepth: 14, depthSize: 'small' },
    number.map((n) => (typeof n === 'number' ? (Number.isFinite(n) ? JSON.stringify(n) : '0') : n)),
    fc.string({ maxLength: 50 }).map((s) => JSON.stringify(s)),
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('v'), { maxLength: 4 }).chain((xs) => ws.map((w) => `[${w}${xs.join(`,${w}`)}]`)),
    fc.array(fc.tuple(key.chain(spell), tie('v')), { maxLength: 4 }).chain((ms) => ws.map((w) => `{${w}${ms.map(([k, x]) => `${k}${w}:${x}`).join(',')}}`)),
  ),
})).v;

/** A few bytes of damage: a character inserted, removed or replaced. */
const mutated = fc.tuple(text, fc.array(fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', '-', 'e', '1', '\u0000', '\ufeff', ' ', 'x', 'u')), { maxLength: 3 }))
  .map(([t, edits]) => edits.reduce((s, [at, op, ch]) => {
    const i = s.length ? at % s.length : 0;
    return op === 'insert' ? s.slice(0, i) + ch + s.slice(i) : op === 'delete' ? s.slice(0, i) + s.slice(i + 1) : s.slice(0, i) + ch + s.slice(i + 1);
  }, t));

describe('the JSON body reader against JSON.parse', () => {
  it('generated JSON text: same acceptance (but for duplicates, infinities and limits) and the same value', () => {
    fc.assert(fc.property(fc.tuple(fc.boolean(), text), ([bom, t]) => check(bom ? `\ufeff${t}` : t)), fuzzParams(40000));
  }, fuzzTimeout());

  it('damaged JSON text: refused when JSON.parse refuses it, never another failure', () => {
    fc.assert(fc.property(mutated, check), fuzzParams(60000));
  }, fuzzTimeout());

  it('nesting at and beyond the limit, in any mix of arrays and objects', () => {
    fc.assert(fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), (opens) => {
      const t = opens.map((o) => (o ? '{"k":' : '[')).join('') + '0' + opens.reverse().map((o) => (o ? '}' : ']')).join('');
      check(t);
    }), fuzzParams(8000));
  }, fuzzTimeout());
});

describe('the UTF-8 decoder', () => {
  it('accepts exactly the bytes that are well-formed UTF-8, and decodes them as Buffer does', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 24 }),
      fc.string({ unit: 'binary', maxLength: 12 }).map((s) => new Uint8Array(Buffer.from(s, 'utf8'))),
      fc.tuple(fc.string({ unit: 'binary', maxLength: 8 }), fc.uint8Array({ minLength: 1, maxLength: 3 }), fc.nat()).map(([s, junk, at]) => {
        const b = Buffer.from(s, 'utf8');
        const i = b.length ? at % b.length : 0;
        return new Uint8Array(Buffer.concat([b.subarray(0, i), junk, b.subarray(i)]));
      }),
    );
    fc.assert(fc.property(bytes, (b) => {
      const roundTrips = Buffer.from(Buffer.from(b).toString('utf8'), 'utf8').equals(Buffer.from(b));
      let got: string | undefined;
      try { got = decodeUtf8(b); } catch (e) { expect(e).toMatchObject({ code: 'malformed_json' }); }
      expect(got !== undefined).toBe(roundTrips);
      if (got !== undefined) expect(got).toBe(Buffer.from(b).toString('utf8'));
    }), fuzzParams(80000));
  }, fuzzTimeout());
});
