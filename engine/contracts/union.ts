/**
 * Unions of types, for `anyOf`/`oneOf` branches and for the cases of a discriminated object, and
 * the narrowing of such an object once a rule has tested its discriminator. A union is always
 * at least as wide as what it joins: values of one kind merge (enums joined, bounds dropped), a
 * decimal string joins a number as a decimal (its reader takes both), and kinds that differ stay
 * a `union` type, on which the compiler allows no comparison until it is narrowed.
 */
import { ANY, sameType, type Case, type Scalar, type Slot, type Type, type Variants, type When } from './types.js';

/** `{}` and `{ type: null }` read as an absent any; they make a union optional, not untyped. */
const nullish = (s: Slot) => s.type.kind === 'any' && s.optional;

export function unionSlots(slots: readonly Slot[]): Slot {
  const optional = slots.some((s) => s.optional);
  const typed = slots.filter((s) => !nullish(s));
  return { type: typed.length ? unionTypes(typed.map((s) => s.type)) : ANY, optional };
}

export function unionTypes(types: readonly Type[]): Type {
  const flat = types.flatMap((t) => (t.kind === 'union' ? t.of : [t]));
  if (flat.some((t) => t.kind === 'any')) return ANY;
  const groups = new Map<string, Type[]>();
  for (const t of flat) {
    const key = t.kind === 'number' && t.decimalString ? 'number' : t.kind;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const merged = [...groups.values()].map(sameKind);
  return merged.length === 1 ? merged[0]! : { kind: 'union', of: merged };
}

function sameKind(ts: readonly Type[]): Type {
  const first = ts[0]!;
  if (ts.every((t) => sameType(t, first))) return first;
  const all = <T>(f: (t: Type) => T | undefined): T[] | undefined => {
    const xs = ts.map(f);
    return xs.every((x) => x !== undefined) ? (xs as T[]) : undefined;
  };
  const joined = <T>(lists: (readonly T[])[] | undefined) => (lists ? { enum: [...new Set(lists.flat())] } : {});
  switch (first.kind) {
    case 'number': {
      const decimal = ts.some((t) => t.kind === 'number' && t.decimalString);
      const integer = ts.every((t) => t.kind === 'number' && t.integer);
      return { kind: 'number', ...(decimal ? { decimalString: true } : {}), ...(integer ? { integer: true } : {}),
        ...joined(all((t) => (t.kind === 'number' ? t.enum : undefined))) };
    }
    case 'string': {
      const formats = new Set(ts.map((t) => (t.kind === 'string' ? t.format : undefined)));
      const format = formats.size === 1 ? [...formats][0] : undefined;
      return { kind: 'string', ...(format !== undefined ? { format } : {}), ...joined(all((t) => (t.kind === 'string' ? t.enum : undefined))) };
    }
    case 'array':
      return { kind: 'array', items: unionSlots(ts.map((t) => (t as Extract<Type, { kind: 'array' }>).items)) };
    case 'object': {
      const objects = ts as Extract<Type, { kind: 'object' }>[];
      return { kind: 'object', props: unionProps(objects), open: objects.some((o) => o.open) };
    }
    default:
      return first;
  }
}

/**
 * Members of any of several objects: each the union of its types where it is defined, and
 * optional where some object lacks it. An open object that lacks it may hold anything there.
 */
export function unionProps(objects: readonly { props: ReadonlyMap<string, Slot>; open: boolean }[]): Map<string, Slot> {
  const names = [...new Set(objects.flatMap((o) => [...o.props.keys()]))];
  return new Map(names.map((name) => {
    const lacking = objects.some((o) => !o.props.has(name));
    const u = unionSlots(objects.flatMap((o) => o.props.get(name) ?? (o.open ? [{ type: ANY, optional: false }] : [])));
    return [name, { type: u.type, optional: u.optional || lacking }];
  }));
}

/** Whether a case can apply when the discriminator holds one of `known`. */
export function applies(when: When, known: readonly Scalar[]): boolean {
  return 'in' in when ? known.some((v) => when.in.includes(v)) : known.some((v) => !when.notIn.includes(v));
}

/**
 * The members of a discriminated object when its discriminator holds one of `known`: the union
 * over the cases that can then apply. A member none of them defines keeps its type over all cases.
 */
export function narrowProps(v: Variants, all: ReadonlyMap<string, Slot>, known: readonly Scalar[]): ReadonlyMap<string, Slot> {
  const cases: Case[] = v.cases.filter((c) => applies(c.when, known));
  if (cases.length === 0 || cases.length === v.cases.length) return all;
  const narrowed = unionProps(cases);
  for (const [name, slot] of all) {
    const now = narrowed.get(name);
    if (!now) narrowed.set(name, { type: slot.type, optional: true });
    // Still of several types: keep what tells them apart, for the compiler's help.
    else if (now.type.kind === 'union' && slot.type.kind === 'union' && slot.type.by) {
      narrowed.set(name, { ...now, type: { ...now.type, by: { by: slot.type.by.by, cases: slot.type.by.cases.filter((c) => applies(c.when, known)) } } });
    }
  }
  return narrowed;
}
