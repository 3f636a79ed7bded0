import { describe, type Type } from '../contracts/types.js';
import { inList } from '../eval/runtime.js';
import { SCALAR_KINDS, type EmitArgs, type OperatorDef } from './operator.js';

export function listCheck(left: Type, right: Type | undefined): string | undefined {
  if (!SCALAR_KINDS.has(left.kind)) return `tests membership of a scalar, but the fact is ${describe(left)}`;
  if (!right || (right.kind !== 'array' && right.kind !== 'any')) return `needs a list value${right ? `, not ${describe(right)}` : ''}`;
  const item = right.kind === 'array' ? right.items.type : right;
  if (item.kind !== 'any' && left.kind !== 'any' && item.kind !== left.kind) return `compares ${describe(left)} with a list of ${describe(item)}`;
  return undefined;
}

/** `a === x || a === y` for short literal lists of primitives, a Set lookup for long ones. */
export function emitMembership({ a, b, plain, literal, lit }: EmitArgs): string {
  if (!plain || !Array.isArray(literal)) return `rt.inList(${a}, ${b})`;
  if (literal.length === 0) return 'false';
  if (literal.length <= 8) return `(${literal.map((v) => `${a} === ${lit(v)}`).join(' || ')})`;
  return `${lit(new Set(literal))}.has(${a})`;
}

export const in_: OperatorDef = {
  name: 'in',
  check: listCheck,
  test: (a, b) => inList(a, b as unknown[]),
  emit: emitMembership,
};
