/**
 * The combining keywords of a contract: `allOf` (and `$ref`s inside it), `anyOf`/`oneOf`, and
 * `if`/`then`/`else`. Subschemas that all apply are merged into one schema before it is read;
 * branches and conditionals become the cases of a discriminated object when one member, the
 * discriminator, tells them apart, and a plain union otherwise.
 *
 * Soundness: every type read here is at least as wide as the values the contract accepts. A
 * keyword two merged subschemas both give keeps the first (the value satisfies both, so either
 * holds), a union joins its branches, and what is not understood (a second `oneOf`, conditionals
 * on several members or on an optional one) is left out, which only widens the type.
 */
import { isObject, resolveRef } from '../values/json.js';
import { plainSlot, schemaSlot } from './shape.js';
import type { Scalar, Slot, Type, When } from './types.js';
import { unionProps, unionSlots } from './union.js';

type Schema = Record<string, unknown>;
type Conditional = { if: Schema; then?: unknown; else?: unknown };

interface Parts { base: Schema; unions: unknown[][]; conditionals: Conditional[] }

/** A schema with combining keywords, read as one slot. */
export function combinedSlot(schema: Schema, root: unknown, seen: Set<unknown>): Slot {
  const parts = conjunction(schema, root, seen);
  if (parts.unions.length) return branchesSlot(parts.unions[0]!, parts.base, root, seen);
  return (parts.conditionals.length && conditionalSlot(parts, root, seen)) || plainSlot(parts.base, root, seen);
}

export function hasCombinators(s: Schema): boolean {
  return 'allOf' in s || 'anyOf' in s || 'oneOf' in s || 'if' in s;
}

/** `s` and every `allOf` member below it, merged; the branches and conditionals found on the way. */
function conjunction(schema: Schema, root: unknown, seen: Set<unknown>): Parts {
  const parts: Parts = { base: {}, unions: [], conditionals: [] };
  const add = (s: unknown, seen: Set<unknown>): void => {
    if (!isObject(s)) return;
    const { allOf, anyOf, oneOf, if: test, then, else: otherwise, $ref, ...rest } = s;
    if (typeof $ref === 'string') {
      const target = resolveRef(root, $ref);
      if (target !== undefined && !seen.has(target)) add(target, new Set([...seen, target]));
    }
    parts.base = mergeSchemas(parts.base, rest);
    for (const u of [anyOf, oneOf]) if (Array.isArray(u)) parts.unions.push(u);
    if (isObject(test)) parts.conditionals.push({ if: test, then, else: otherwise });
    if (Array.isArray(allOf)) for (const x of allOf) add(x, seen);
  };
  add(schema, seen);
  return parts;
}

function mergeSchemas(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else if (k === 'properties' && isObject(prev) && isObject(v)) out[k] = mergeProperties(prev, v);
    else if (k === 'required' && Array.isArray(prev) && Array.isArray(v)) out[k] = [...new Set([...prev, ...v])];
    else if ((k === 'additionalProperties' || k === 'unevaluatedProperties' || k === 'items') && v !== prev) out[k] = v === false ? false : prev === false ? false : { allOf: [prev, v] };
    else if (k === 'type') out[k] = bothTypes(prev, v);
  }
  const [va, vb] = [valuesOf(a), valuesOf(b)];
  if (va && vb) {
    delete out.const;
    out.enum = va.filter((x) => vb.some((y) => JSON.stringify(x) === JSON.stringify(y)));
  }
  return out;
}

function mergeProperties(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? { allOf: [out[k], v] } : v;
  return out;
}

const valuesOf = (s: Schema): unknown[] | undefined => (Array.isArray(s.enum) ? s.enum : 'const' in s ? [s.const] : undefined);
const typeList = (t: unknown): string[] => (Array.isArray(t) ? t.map(String) : [String(t)]);

function bothTypes(a: unknown, b: unknown): unknown {
  const bs = typeList(b);
  const both = typeList(a).flatMap((t) => (bs.includes(t) ? [t] : t === 'number' && bs.includes('integer') ? ['integer'] : t === 'integer' && bs.includes('number') ? ['integer'] : []));
  return both.length === 1 ? both[0] : both;
}

/** `anyOf`/`oneOf`: each branch with what applies beside it; discriminated when one member tells the branches apart. */
function branchesSlot(branches: unknown[], base: Schema, root: unknown, seen: Set<unknown>): Slot {
  const slots = branches.map((b) => schemaSlot({ allOf: [base, b] }, root, seen));
  const values = slots.filter((s) => !(s.type.kind === 'any' && s.optional));
  const by = values.length > 1 ? discriminator(values) : undefined;
  if (!by) return unionSlots(slots);
  const cases = values.map((s) => ({ when: { in: enumOf(s.type, by)! }, slot: s }));
  const d = discriminated(by, cases);
  return { type: d.type, optional: slots.some((s) => s.optional) };
}

/**
 * The member that tells object branches apart: each branch restricts it to listed values, no two
 * branches sharing one (else the first whose lists differ at all), so a member every branch
 * lists alike, such as a shared currency enum, is not taken for it.
 */
function discriminator(slots: Slot[]): string | undefined {
  const first = slots[0]!.type;
  if (first.kind !== 'object' || !slots.every((s) => s.type.kind === 'object')) return undefined;
  const listed = [...first.props.keys()].filter((m) => slots.every((s) => enumOf(s.type, m) !== undefined));
  const lists = (m: string) => slots.map((s) => enumOf(s.type, m)!);
  const disjoint = (m: string) => lists(m).every((a, i) => lists(m).slice(i + 1).every((b) => !a.some((v) => b.includes(v))));
  const differ = (m: string) => new Set(lists(m).map((l) => JSON.stringify(l))).size > 1;
  return listed.find(disjoint) ?? listed.find(differ);
}

function enumOf(t: Type, member: string): readonly Scalar[] | undefined {
  const m = t.kind === 'object' ? t.props.get(member)?.type : undefined;
  return m && (m.kind === 'string' || m.kind === 'number') && m.enum?.length ? m.enum : undefined;
}

/**
 * `if`/`then`/`else` that all test one required member against listed values: one case per
 * group of its values that selects the same `then`s and `else`s, and one for any other value
 * when the member is not an enum.
 */
function conditionalSlot(parts: Parts, root: unknown, seen: Set<unknown>): Slot | undefined {
  const tests = parts.conditionals.map((c) => ifTest(c.if));
  const by = tests[0]?.member;
  if (!by || tests.some((t) => t?.member !== by)) return undefined;
  const base = plainSlot(parts.base, root, seen);
  const member = base.type.kind === 'object' ? base.type.props.get(by) : undefined;
  if (!member || member.optional) return undefined;
  const listed = enumOf(base.type, by);
  const values = listed ?? [...new Set(tests.flatMap((t) => t!.values))];
  const pick = (holds: (i: number) => boolean) => parts.conditionals.flatMap((c, i) => {
    const branch = holds(i) ? c.then : c.else;
    return branch === undefined ? [] : [branch];
  });
  const groups = new Map<string, Scalar[]>();
  for (const v of values) {
    const key = tests.map((t) => String(t!.values.includes(v))).join();
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  const cases: { when: When; slot: Slot }[] = [...groups.values()].map((vs) => ({
    when: { in: vs }, slot: schemaSlot({ allOf: [parts.base, ...pick((i) => tests[i]!.values.includes(vs[0]!))] }, root, seen),
  }));
  if (!listed) cases.push({ when: { notIn: values }, slot: schemaSlot({ allOf: [parts.base, ...pick(() => false)] }, root, seen) });
  if (cases.some((c) => c.slot.type.kind !== 'object')) return undefined;
  return discriminated(by, cases);
}

/** `{ properties: { m: { const: x } }, required: [m] }`, or with `enum`: the member and its values. */
function ifTest(s: Schema): { member: string; values: Scalar[] } | undefined {
  if (Object.keys(s).some((k) => k !== 'properties' && k !== 'required' && k !== 'type') || (s.type !== undefined && s.type !== 'object')) return undefined;
  const props = isObject(s.properties) ? Object.entries(s.properties) : [];
  if (props.length !== 1) return undefined;
  const [member, test] = props[0]!;
  if (!isObject(test) || Object.keys(test).some((k) => k !== 'const' && k !== 'enum' && k !== 'type')) return undefined;
  const values = valuesOf(test);
  if (!values?.every((v) => typeof v === 'string' || typeof v === 'number')) return undefined;
  if (s.required !== undefined && !(Array.isArray(s.required) && s.required.every((r) => r === member))) return undefined;
  return { member, values: values as Scalar[] };
}

/** An object typed by its cases: members joined over them, a member of several kinds marked with the cases that type it. */
function discriminated(by: string, cases: readonly { when: When; slot: Slot }[]): Slot {
  const objects = cases.map((c) => c.slot.type as Extract<Type, { kind: 'object' }>);
  const props = unionProps(objects);
  for (const [name, slot] of props) {
    if (slot.type.kind !== 'union') continue;
    const per = cases.flatMap((c, i) => {
      const t = objects[i]!.props.get(name)?.type;
      return t ? [{ when: c.when, type: t }] : [];
    });
    props.set(name, { ...slot, type: { ...slot.type, by: { by, cases: per } } });
  }
  return {
    type: { kind: 'object', props, open: objects.some((o) => o.open), variants: { by, cases: cases.map((c, i) => ({ when: c.when, props: objects[i]!.props, open: objects[i]!.open })) } },
    optional: cases.some((c) => c.slot.optional),
  };
}
