/**
 * Reads the shape of a JSON Schema contract into compiler types, and resolves fact paths in it.
 * Handles what contracts use in practice: `type` (with `null`), `properties`/`required`, `items`,
 * `enum`/`const`, formats, numeric and length bounds, local `$ref`s, and the combining keywords
 * (`allOf`, `anyOf`/`oneOf`, `if`/`then`/`else`; see combine.ts), which may type a member by the
 * value of a sibling, its discriminator.
 */
import { combinedSlot, hasCombinators } from './combine.js';
import { ANY, sameType, type Bound, type Scalar, type Slot, type Type } from './types.js';
import { narrowProps } from './union.js';
import { isObject, resolveRef } from '../values/json.js';

type Schema = Record<string, unknown>;

export function schemaSlot(schema: unknown, root: unknown = schema, seen = new Set<unknown>()): Slot {
  if (schema === true || schema === undefined) return { type: ANY, optional: true };
  if (!isObject(schema)) return { type: ANY, optional: true };
  if (hasCombinators(schema)) return combinedSlot(schema, root, seen);
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(root, schema.$ref);
    if (target === undefined || seen.has(target)) return { type: ANY, optional: false };
    return schemaSlot(target, root, new Set([...seen, target]));
  }
  return plainSlot(schema, root, seen);
}

/** A schema without combining keywords. */
export function plainSlot(schema: Schema, root: unknown, seen: Set<unknown>): Slot {
  let types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
  const values = Array.isArray(schema.enum) ? (schema.enum as unknown[]) : 'const' in schema ? [schema.const] : undefined;
  if (types.length === 0 && values) types = [...new Set(values.map(jsonType))];
  const nullable = types.includes('null') || (values?.includes(null) ?? false);
  const real = types.filter((t) => t !== 'null');
  if (real.length !== 1) return { type: ANY, optional: nullable };
  return { type: singleType(real[0] as string, schema, values, root, seen), optional: nullable };
}

function singleType(kind: string, s: Schema, values: unknown[] | undefined, root: unknown, seen: Set<unknown>): Type {
  switch (kind) {
    case 'string': {
      if (s.format === 'date-time') return { kind: 'instant' };
      if (s.format === 'date') return { kind: 'date' };
      if (s.format === 'decimal') return { kind: 'number', decimalString: true, ...bounds(s) };
      return {
        kind: 'string',
        ...(values ? { enum: values.filter((v): v is string => typeof v === 'string') } : {}),
        ...(typeof s.format === 'string' ? { format: s.format } : {}),
        ...(typeof s.minLength === 'number' ? { minLength: s.minLength } : {}),
        ...(typeof s.maxLength === 'number' ? { maxLength: s.maxLength } : {}),
      };
    }
    case 'integer':
    case 'number':
      return {
        kind: 'number',
        ...(kind === 'integer' ? { integer: true } : {}),
        ...(values ? { enum: values.filter((v): v is number => typeof v === 'number') } : {}),
        ...bounds(s),
      };
    case 'boolean':
      return { kind: 'boolean' };
    case 'array':
      return {
        kind: 'array',
        items: s.items === undefined ? { type: ANY, optional: true } : schemaSlot(s.items, root, seen),
        ...(typeof s.minItems === 'number' ? { minItems: s.minItems } : {}),
        ...(typeof s.maxItems === 'number' ? { maxItems: s.maxItems } : {}),
      };
    case 'object': {
      const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
      const props = new Map<string, Slot>();
      for (const [name, sub] of Object.entries(isObject(s.properties) ? s.properties : {})) {
        const slot = schemaSlot(sub, root, seen);
        props.set(name, { type: slot.type, optional: slot.optional || !required.has(name) });
      }
      return { kind: 'object', props, open: s.additionalProperties !== false && s.unevaluatedProperties !== false };
    }
    default:
      return ANY;
  }
}

function bounds(s: Schema): { min?: Bound; max?: Bound } {
  const out: { min?: Bound; max?: Bound } = {};
  if (typeof s.exclusiveMinimum === 'number') out.min = { value: s.exclusiveMinimum, exclusive: true };
  else if (typeof s.minimum === 'number') out.min = { value: s.minimum, exclusive: false };
  if (typeof s.exclusiveMaximum === 'number') out.max = { value: s.exclusiveMaximum, exclusive: true };
  else if (typeof s.maximum === 'number') out.max = { value: s.maximum, exclusive: false };
  return out;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export type PathStep = string | number;

export type Resolved =
  | { ok: true; slot: Slot; narrowed: boolean }
  | { ok: false; at: number; candidates: readonly string[]; reason: 'no_member' | 'not_object' | 'not_array' };

/** The values a discriminator is known to hold where a path is read: its steps from the start → values. */
export type Known = (steps: readonly PathStep[]) => readonly Scalar[] | undefined;

/**
 * Walks `path` from `start`. A step through an optional member, or an array index, makes the
 * result optional. A step into a discriminated object whose discriminator `known` gives reads the
 * members of the cases that can apply (`narrowed`). On failure says which step failed and which
 * member names exist there.
 */
export function resolvePath(start: Slot, path: readonly PathStep[], known?: Known): Resolved {
  let slot = start;
  let narrowed = false;
  for (let i = 0; i < path.length; i++) {
    const step = path[i] as PathStep;
    const t = slot.type;
    if (t.kind === 'any') return { ok: true, slot: { type: ANY, optional: true }, narrowed };
    if (typeof step === 'number') {
      if (t.kind !== 'array') return { ok: false, at: i, candidates: [], reason: 'not_array' };
      slot = { type: t.items.type, optional: true };
      continue;
    }
    if (t.kind !== 'object') return { ok: false, at: i, candidates: [], reason: 'not_object' };
    // The discriminator itself keeps its type: a second test of it is checked against the contract, not against the first.
    const values = t.variants && step !== t.variants.by && known?.([...path.slice(0, i), t.variants.by]);
    const props = values ? narrowProps(t.variants!, t.props, values) : t.props;
    const next = props.get(step);
    if (!next) {
      // A free-form map (no listed members) may hold any key; a listed object defines its members.
      if (t.open && t.props.size === 0) return { ok: true, slot: { type: ANY, optional: true }, narrowed };
      return { ok: false, at: i, candidates: [...t.props.keys()], reason: 'no_member' };
    }
    const wide = t.props.get(step);
    // What narrowing changed is checked when evaluating: the value may be another case's where the test is not true.
    if (props !== t.props && (!wide || !sameType(next.type, wide.type) || next.optional !== wide.optional)) narrowed = true;
    slot = { type: next.type, optional: slot.optional || next.optional };
  }
  return { ok: true, slot, narrowed };
}
