/**
 * The static types the compiler checks rules against, read off JSON Schema contracts.
 *
 * Strings with `format: date-time`, `date` and `decimal` are typed as instants, dates and exact
 * numbers, so comparisons on them compare times and amounts, never spellings.
 */
export type Scalar = string | number | boolean;

export type Type =
  | { kind: 'number'; integer?: boolean; decimalString?: boolean; enum?: readonly number[]; min?: Bound; max?: Bound }
  | { kind: 'string'; enum?: readonly string[]; format?: string; minLength?: number; maxLength?: number }
  | { kind: 'boolean' }
  | { kind: 'instant' }
  | { kind: 'date' }
  | { kind: 'duration' }
  | { kind: 'array'; items: Slot; minItems?: number; maxItems?: number }
  | { kind: 'object'; props: ReadonlyMap<string, Slot>; open: boolean }
  | { kind: 'any' };

export interface Bound { value: number; exclusive: boolean }

/** A type where a value may be absent: `optional` is true when it may be missing or null. */
export interface Slot { type: Type; optional: boolean }

export type Kind = Type['kind'];

export const ANY: Type = { kind: 'any' };
export const NUMBER: Type = { kind: 'number' };
export const STRING: Type = { kind: 'string' };
export const BOOLEAN: Type = { kind: 'boolean' };
export const INSTANT: Type = { kind: 'instant' };
export const DATE: Type = { kind: 'date' };
export const DURATION: Type = { kind: 'duration' };

export function describe(t: Type): string {
  switch (t.kind) {
    case 'array': return `array of ${describe(t.items.type)}`;
    case 'string': return t.format ? `string (${t.format})` : 'string';
    case 'number': return t.decimalString ? 'decimal' : t.integer ? 'integer' : 'number';
    default: return t.kind;
  }
}

/** `t` without its enum: the type of a value that may come from members with other enums, or from literals. */
export function withoutEnum(t: Type): Type {
  if ((t.kind !== 'number' && t.kind !== 'string') || t.enum === undefined) return t;
  const copy = { ...t };
  delete copy.enum;
  return copy;
}

/** Types that order: numbers, instants, dates and durations. */
export function isOrdered(t: Type): boolean {
  return t.kind === 'number' || t.kind === 'instant' || t.kind === 'date' || t.kind === 'duration' || t.kind === 'any';
}

/** Whether values of `a` and `b` can be compared for equality or order. */
export function comparable(a: Type, b: Type): boolean {
  return a.kind === 'any' || b.kind === 'any' || a.kind === b.kind;
}
