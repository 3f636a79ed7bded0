/**
 * An operator is a small definition object: its name, a type rule checked when compiling, the
 * test on present values, and optionally the JavaScript it compiles to.
 */
import { comparable, describe, isOrdered, type Type } from '../contracts/types.js';

export interface EmitArgs {
  /** JS expressions for the two operands */
  a: string;
  b: string;
  /** both operands are JS primitives (plain numbers, strings, booleans, day numbers) */
  plain: boolean;
  /** the right operand's value when it is a literal */
  literal?: unknown;
  /** JS source for a constant value */
  lit(v: unknown): string;
}

export interface OperatorDef {
  readonly name: string;
  /** takes no `value` (exists, missing) */
  readonly unary?: boolean;
  /** decides on missing values too, so it is never unknown (exists, missing) */
  readonly total?: boolean;
  /** Type rule: why the operands do not fit, or undefined when they do. */
  check(left: Type, right: Type | undefined): string | undefined;
  /** The test on present, normalised values. */
  test(a: unknown, b: unknown): boolean;
  /** JavaScript for the test, where it beats calling `test`. */
  emit?(x: EmitArgs): string | undefined;
}

export const SCALAR_KINDS = new Set(['number', 'string', 'boolean', 'instant', 'date', 'duration', 'any']);

export function scalarCheck(left: Type, right: Type | undefined): string | undefined {
  if (!SCALAR_KINDS.has(left.kind)) return `compares a scalar, but the fact is ${describe(left)}`;
  if (right && !comparable(left, right)) return `compares ${describe(left)} with ${describe(right)}`;
  return undefined;
}

export function orderCheck(left: Type, right: Type | undefined): string | undefined {
  if (!isOrdered(left)) return `needs a number, instant, date or duration, but the fact is ${describe(left)}`;
  if (right && !comparable(left, right)) return `compares ${describe(left)} with ${describe(right)}`;
  return undefined;
}

export function stringCheck(left: Type, right: Type | undefined): string | undefined {
  if (left.kind !== 'string' && left.kind !== 'any') return `needs a string, but the fact is ${describe(left)}`;
  if (right && right.kind !== 'string' && right.kind !== 'any') return `needs a string value, not ${describe(right)}`;
  return undefined;
}
