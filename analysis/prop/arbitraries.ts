/**
 * fast-check arbitraries derived from JSON Schema contracts: types, enums, formats (uuid,
 * date-time, date, email, decimal), numeric and length bounds, patterns, `multipleOf`, required and
 * optional members, lists. Values lean toward boundaries (each bound, and just inside it) and
 * toward `hints`: values taken from the rules that a path is compared with.
 */
import fc from 'fast-check';
import { escapeToken, isObject, resolveRef } from '../../engine/internal.js';

type Schema = Record<string, unknown>;

export interface Hints {
  /** JSON Pointer (`/proposal/amount`) → values worth trying at that path */
  values: ReadonlyMap<string, readonly unknown[]>;
  /** instants around which dates and times are generated (epoch ms) */
  instants: readonly number[];
}

export const NO_HINTS: Hints = { values: new Map(), instants: [] };

/** The domains generated e-mail addresses use; lists compared with e-mail domains are drawn from them too. */
export const EMAIL_DOMAINS = ['acme.example', 'partner.io', 'example.com', 'Competitor.Example'] as const;
const MAILBOXES = ['ana', 'bo', 'chen', 'dev.ops', 'eli', 'fin', 'j.doe', 'x'] as const;

const DAY = 86_400_000;
const BASE = Date.UTC(2026, 10, 21);
const MAX_LIST = 6;

export function arbitraryFor(schema: unknown, hints: Hints = NO_HINTS, pointer = '', root: unknown = schema): fc.Arbitrary<unknown> {
  if (schema === true || schema === undefined) return fc.jsonValue();
  if (!isObject(schema)) return fc.constant(null);
  if (typeof schema.$ref === 'string') return arbitraryFor(resolveRef(root, schema.$ref), hints, pointer, root);
  const union = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(union)) return fc.oneof(...union.map((s) => arbitraryFor(s, hints, pointer, root)));
  const hinted = hints.values.get(pointer)?.filter((v) => fits(schema, v));
  const base = core(schema, hints, pointer, root);
  return hinted?.length ? fc.oneof({ weight: 3, arbitrary: base }, { weight: 2, arbitrary: fc.constantFrom(...hinted) }) : base;
}

/** Whether a hinted value can stand where the schema is: its type, enum, bounds, length and pattern. */
function fits(s: Schema, v: unknown): boolean {
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : undefined;
  const kind = v === null ? 'null' : typeof v === 'number' ? (Number.isInteger(v) ? ['integer', 'number'] : ['number']) : typeof v;
  if (types && !(Array.isArray(kind) ? kind : [kind]).some((k) => types.includes(k as string))) return false;
  if (Array.isArray(s.enum) && !s.enum.includes(v)) return false;
  if (typeof v === 'number') {
    if ((num(s.minimum) ?? -Infinity) > v || (num(s.maximum) ?? Infinity) < v) return false;
    if ((num(s.exclusiveMinimum) ?? -Infinity) >= v || (num(s.exclusiveMaximum) ?? Infinity) <= v) return false;
  }
  if (typeof v === 'string') {
    const n = [...v].length;
    if (n < (num(s.minLength) ?? 0) || n > (num(s.maxLength) ?? Infinity)) return false;
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) return false;
  }
  return true;
}

function core(s: Schema, hints: Hints, pointer: string, root: unknown): fc.Arbitrary<unknown> {
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if ('const' in s) return fc.constant(s.const);
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : ['object'];
  const options = types.map((t) => single(t, s, hints, pointer, root));
  return options.length === 1 ? options[0]! : fc.oneof(...options);
}

function single(type: string, s: Schema, hints: Hints, pointer: string, root: unknown): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null': return fc.constant(null);
    case 'boolean': return fc.boolean();
    case 'integer': return integer(s);
    case 'number': return number(s);
    case 'string': return string(s, hints);
    case 'array': {
      const min = num(s.minItems) ?? 0;
      const max = Math.max(min, Math.min(num(s.maxItems) ?? MAX_LIST, MAX_LIST));
      const item = arbitraryFor(s.items ?? true, hints, `${pointer}/*`, root);
      return s.uniqueItems ? fc.uniqueArray(item, { minLength: min, maxLength: max, selector: (v) => JSON.stringify(v) }) : fc.array(item, { minLength: min, maxLength: max });
    }
    case 'object': {
      const props = isObject(s.properties) ? s.properties : {};
      const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, sub] of Object.entries(props)) model[k] = arbitraryFor(sub, hints, `${pointer}/${escapeToken(k)}`, root);
      return fc.record(model, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) });
    }
    default: return fc.constant(null);
  }
}

function bounds(s: Schema): { lo: number; hi: number; loOpen: boolean; hiOpen: boolean } {
  const lo = num(s.exclusiveMinimum) ?? num(s.minimum) ?? -1e6;
  const hi = num(s.exclusiveMaximum) ?? num(s.maximum) ?? 1e6;
  return { lo, hi, loOpen: s.exclusiveMinimum !== undefined, hiOpen: s.exclusiveMaximum !== undefined };
}

function integer(s: Schema): fc.Arbitrary<number> {
  const b = bounds(s);
  const lo = Math.ceil(b.loOpen ? b.lo + 1 : b.lo), hi = Math.floor(b.hiOpen ? b.hi - 1 : b.hi);
  const edges = [lo, lo + 1, hi - 1, hi, 0, 1].filter((x) => x >= lo && x <= hi && Number.isSafeInteger(x));
  return fc.oneof({ weight: 3, arbitrary: fc.integer({ min: Math.max(lo, Number.MIN_SAFE_INTEGER), max: Math.min(hi, Number.MAX_SAFE_INTEGER) }) }, { weight: 1, arbitrary: fc.constantFrom(...edges) });
}

/** Numbers as whole multiples of `multipleOf` when there is one (money in cents), else with up to 4 places. */
function number(s: Schema): fc.Arbitrary<number> {
  const step = num(s.multipleOf) ?? 0.0001;
  const places = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  const scale = 10 ** places;
  const b = bounds(s);
  const lo = Math.ceil(b.lo * scale) + (b.loOpen && Number.isInteger(b.lo * scale) ? 1 : 0);
  const hi = Math.floor(b.hi * scale) - (b.hiOpen && Number.isInteger(b.hi * scale) ? 1 : 0);
  const toNumber = (units: number) => Number((units / scale).toFixed(places));
  const edges = [lo, lo + 1, hi - 1, hi, 0].filter((x) => x >= lo && x <= hi);
  return fc.oneof({ weight: 3, arbitrary: fc.integer({ min: lo, max: hi }) }, { weight: 1, arbitrary: fc.constantFrom(...edges) }).map(toNumber);
}

function string(s: Schema, hints: Hints): fc.Arbitrary<string> {
  const min = num(s.minLength) ?? 0;
  const max = Math.max(min, num(s.maxLength) ?? Math.max(min, 40));
  let arb: fc.Arbitrary<string>;
  switch (s.format) {
    case 'uuid': arb = fc.uuid(); break;
    case 'email': arb = fc.tuple(fc.constantFrom(...MAILBOXES), fc.nat(99), fc.constantFrom(...EMAIL_DOMAINS)).map(([u, n, d]) => `${u}${n || ''}@${d}`); break;
    case 'date-time': arb = instant(hints).map(([ms, offset]) => iso(ms, offset)); break;
    case 'date': arb = instant(hints).map(([ms]) => new Date(ms).toISOString().slice(0, 10)); break;
    case 'decimal': arb = fc.integer({ min: 0, max: 500_000 }).map((c) => (c / 100).toFixed(2)); break;
    default:
      // One ASCII character per unit: the lengths asked for are the lengths made.
      if (typeof s.pattern !== 'string') return fc.string({ minLength: min, maxLength: Math.min(max, min + 60), unit: 'grapheme-ascii' });
      arb = fc.stringMatching(new RegExp(s.pattern, 'u'));
  }
  return arb.filter((x) => [...x].length >= min && [...x].length <= max);
}

/** An instant (epoch ms, whole seconds) and a UTC offset in minutes, near the hinted instants. */
function instant(hints: Hints): fc.Arbitrary<[number, number]> {
  const centres = hints.instants.length ? hints.instants : [BASE];
  const near = fc.tuple(fc.constantFrom(...centres), fc.integer({ min: -200, max: 200 }), fc.constantFrom(-1000, 0, 1000, 0))
    .map(([c, days, jitter]) => Math.floor((c + days * DAY + jitter) / 1000) * 1000);
  const exact = fc.constantFrom(...centres);
  return fc.tuple(fc.oneof({ weight: 4, arbitrary: near }, { weight: 1, arbitrary: exact }), fc.constantFrom(0, 0, 60, -300, 330));
}

function iso(ms: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return new Date(ms).toISOString().replace('.000Z', 'Z');
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const a = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

