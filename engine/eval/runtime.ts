/**
 * What evaluation works with. A fact value is present, missing (`undefined`; a JSON `null` reads
 * as missing) or an EvalError. Numbers are JS numbers straight from JSON or Rationals from derived
 * facts; instants and durations are Rationals; dates are day numbers.
 */
import { readDate, readDecimal, readInstant } from '../contracts/formats.js';
import { Rational } from '../values/rational.js';

/**
 * Truth values. A condition that is not decided says why, in two bits: E (a value it needs could
 * not be computed), U (a fact it needs is missing), or both (EU). Kleene logic: `all` is F when a
 * member is F, T when every member is T, and otherwise undecided for the reasons of all its
 * undecided members; `any` the same with T and F swapped. Keeping both reasons is what lets an
 * undecided rule count as the most severe of `on_error` and `on_unknown` that apply: with a single
 * chain F < E < U < T, `all` of a failed member and an unknown one was E alone, so a failure could
 * lower a rule that was unknown without it.
 */
export const F = 0, E = 1, U = 2, EU = 3, T = 4;
export type Status = typeof F | typeof E | typeof U | typeof EU | typeof T;

/**
 * A value that could not be computed. `missing`: a fact it needs is missing as well, so it would
 * still be unknown once the failure is fixed (a sum of a failed and a missing value).
 */
export class EvalError {
  constructor(readonly code: 'division_by_zero' | 'invalid_value' | 'internal_error', readonly message: string, readonly missing = false) {}

  andMissing(): EvalError {
    return this.missing ? this : new EvalError(this.code, this.message, true);
  }
}

/** Kleene `and`. */
export function and3(a: Status, b: Status): Status {
  return a === F || b === F ? F : ((a & b & T) | ((a | b) & EU)) as Status;
}

/** Kleene `or`. */
export function or3(a: Status, b: Status): Status {
  return a === T || b === T ? T : ((a | b) & EU) as Status;
}

export function not3(s: Status): Status {
  return s === T ? F : s === F ? T : s;
}

/**
 * The status of a comparison whose operands include a failed value: E, and U too when an operand
 * is missing or failed for want of a fact (unless the operator decides on missing values).
 */
export function failed(total: boolean | undefined, ...operands: unknown[]): Status {
  if (total) return E;
  return operands.some((v) => v === undefined || v === null || (v instanceof EvalError && v.missing)) ? EU : E;
}

/**
 * Thrown when generated code hands an operator an error: the chunk is then evaluated by the
 * interpreter (eval/evaluate.ts), which makes the condition an error instead of false.
 */
function refuse(a: unknown, b: unknown): void {
  if (a instanceof EvalError || b instanceof EvalError) throw new TypeError('an operand is an error value');
}

/** Order of two present values of one ordered type. */
export function cmp(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  refuse(a, b);
  return Rational.from(a as number | Rational).cmp(Rational.from(b as number | Rational));
}

/** Equality of two present scalar values: numbers compare by value whatever their spelling. */
export function eq(a: unknown, b: unknown): boolean {
  refuse(a, b);
  if (a === b) return true;
  if (a instanceof Rational || b instanceof Rational) {
    if ((typeof a !== 'number' && !(a instanceof Rational)) || (typeof b !== 'number' && !(b instanceof Rational))) return false;
    return Rational.from(a).equals(Rational.from(b));
  }
  return false;
}

/** A member by path, looking at own properties only, so `constructor` or `__proto__` never reach the prototype. */
export function own(o: unknown, steps: readonly (string | number)[]): unknown {
  for (const step of steps) {
    if (o === null || typeof o !== 'object' || !Object.prototype.hasOwnProperty.call(o, step)) return undefined;
    o = (o as Record<string, unknown>)[step];
  }
  return o;
}

export function inList(a: unknown, list: readonly unknown[]): boolean {
  refuse(a, list);
  for (let i = 0; i < list.length; i++) if (eq(a, list[i])) return true;
  return false;
}

/**
 * Reading a raw JSON value as its static type, with the readers of contracts/formats.ts. The
 * contract has checked the format, but a read still reports failure as an EvalError rather than
 * trusting that; generated code checks every converted read for it.
 */
export const read = {
  decimal(v: unknown): Rational | EvalError {
    const r = typeof v === 'number' && Number.isFinite(v) ? Rational.fromNumber(v) : typeof v === 'string' ? readDecimal(v) : undefined;
    return r ?? new EvalError('invalid_value', `\`${String(v)}\` is not a decimal number`);
  },
  instant(v: unknown): Rational | EvalError {
    const r = typeof v === 'string' ? readInstant(v) : undefined;
    return r ?? new EvalError('invalid_value', `\`${String(v)}\` is not an RFC 3339 date-time`);
  },
  date(v: unknown): number | EvalError {
    const r = typeof v === 'string' ? readDate(v) : undefined;
    return r ?? new EvalError('invalid_value', `\`${String(v)}\` is not a calendar date`);
  },
  // Members narrowed by a discriminator test: where the test does not hold they may be of another type.
  number: (v: unknown) => (typeof v === 'number' ? v : notA(v, 'a number')),
  string: (v: unknown) => (typeof v === 'string' ? v : notA(v, 'a string')),
  boolean: (v: unknown) => (typeof v === 'boolean' ? v : notA(v, '`true` or `false`')),
  list: (v: unknown) => (Array.isArray(v) ? v : notA(v, 'a list')),
};

function notA(v: unknown, what: string): EvalError {
  const shown = v !== null && typeof v === 'object' ? (Array.isArray(v) ? 'a list' : 'an object') : `\`${JSON.stringify(v)}\``;
  return new EvalError('invalid_value', `${shown} is not ${what}`);
}

export type Conv = keyof typeof read | 'none';
