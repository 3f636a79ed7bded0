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
  | { kind: 'object'; props: ReadonlyMap<string, Slot>; open: boolean; variants?: Variants }
  /** Values of several kinds (`oneOf` branches, a member typed by a discriminator); compared only once narrowed. */
  | { kind: 'union'; of: readonly Type[]; by?: Discriminated }
  | { kind: 'any' };

/**
 * An object whose members are typed by the value of one of them, the discriminator `by`
 * (`oneOf` branches with a `const`, `if`/`then`/`else` on one member): what each case types. The
 * object's own `props` are the union over the cases, what a rule sees until it tests `by`.
 */
export interface Variants { by: string; cases: readonly Case[] }

/** The values of the discriminator a case applies to: those listed (`in`), or all but those (`notIn`, an `else`). */
export type When = { in: readonly Scalar[] } | { notIn: readonly Scalar[] };

export interface Case { when: When; props: ReadonlyMap<string, Slot>; open: boolean }

/** For a member of a union type because of a discriminator: the sibling `by`, and the member's type in each case. */
export interface Discriminated { by: string; cases: readonly { when: When; type: Type }[] }

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
    case 'union': return `${t.of.slice(0, -1).map(describe).join(', ')} or ${describe(t.of.at(-1)!)}`;
    default: return t.kind;
  }
}

/** Structural equality of types (members by name, in order). */
export function sameType(a: Type, b: Type): boolean {
  return a === b || typeKey(a) === typeKey(b);
}

const typeKey = (t: Type): string => JSON.stringify(t, (_k, v: unknown) => (v instanceof Map ? [...v] : v));

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
