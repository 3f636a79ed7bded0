import { describe, type Type } from '../contracts/types.js';
import { inList } from '../eval/runtime.js';
import type { OperatorDef } from './operator.js';

const ITEM_KINDS = new Set(['string', 'number', 'boolean', 'any']);

/** A list that contains an element, or a string that contains a substring. */
export function containsCheck(left: Type, right: Type | undefined): string | undefined {
  if (left.kind === 'string') return right && right.kind !== 'string' && right.kind !== 'any' ? `looks for ${describe(right)} in a string` : undefined;
  if (left.kind === 'any') return undefined;
  if (left.kind !== 'array') return `needs a list or a string, but the fact is ${describe(left)}`;
  const item = left.items.type;
  if (!ITEM_KINDS.has(item.kind) || (item.kind === 'number' && item.decimalString)) return `looks inside a list of ${describe(item)}, which holds no plain values`;
  if (right && right.kind !== 'any' && item.kind !== 'any' && right.kind !== item.kind) return `looks for ${describe(right)} in a list of ${describe(item)}`;
  return undefined;
}

export function containsTest(a: unknown, b: unknown): boolean {
  return Array.isArray(a) ? inList(b, a) : typeof a === 'string' && typeof b === 'string' && a.includes(b);
}

export const contains: OperatorDef = {
  name: 'contains',
  check: containsCheck,
  test: containsTest,
};
