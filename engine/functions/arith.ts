/** Typing and evaluation shared by the arithmetic functions: numbers, instants, dates, durations. */
import { describe, type Kind, type Type } from '../contracts/types.js';
import { EvalError } from '../eval/runtime.js';
import { Rational } from '../values/rational.js';
import type { ArgInfo, Checked } from './function.js';

export const DAY = Rational.of(86400n);

export const q = (v: unknown): Rational => Rational.from(v as number | Rational);

export function kinds(args: readonly ArgInfo[]): Kind[] {
  return args.map((a) => a.type.kind);
}

export function anyArg(args: readonly ArgInfo[]): boolean {
  return args.some((a) => a.type.kind === 'any');
}

export function mismatch(fn: string, args: readonly ArgInfo[]): Checked {
  return { error: `\`${fn}\` does not apply to ${args.map((a) => describe(a.type)).join(', ')}` };
}

export const T = {
  number: { kind: 'number' } as Type,
  instant: { kind: 'instant' } as Type,
  date: { kind: 'date' } as Type,
  duration: { kind: 'duration' } as Type,
};

/**
 * A date moved by literal durations that do not add up to whole days fails on every input, so it
 * is a compile error; durations computed from facts can only be checked when evaluating.
 */
export function partDayShift(fn: string, args: readonly ArgInfo[]): Checked | undefined {
  const durations = args.slice(1);
  if (args[0]?.type.kind !== 'date' || !durations.every((a) => a.literal instanceof Rational)) return undefined;
  const total = durations.reduce((t, a) => t.add(a.literal as Rational), Rational.ZERO);
  if (total.div(DAY).isInteger()) return undefined;
  return {
    error: `\`${fn}\` moves a date by whole days, but ${durations.map((a) => `\`${a.text}\``).join(' + ')} is not a whole number of days`,
    help: 'write the duration in days (`1d`, `2d`), or move an instant such as `now` instead',
  };
}

/** A date moved by a duration of whole days. */
export function shiftDate(days: number, seconds: Rational): number | EvalError {
  const d = seconds.div(DAY);
  if (!d.isInteger()) return new EvalError('invalid_value', `a date moves by whole days, not by ${seconds.toString()}s`);
  return days + Number(d.n);
}
