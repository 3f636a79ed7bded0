/**
 * Reads the shape of a JSON Schema contract into compiler types, and resolves fact paths in it.
 * Handles what contracts use in practice: `type` (with `null`), `properties`/`required`, `items`,
 * `enum`/`const`, formats, numeric and length bounds, local `$ref`s and `anyOf`/`oneOf` unions.
 */
import { ANY, type Bound, type Slot, type Type } from './types.js';
import { isObject, resolveRef } from '../values/json.js';

type Schema = Record<string, unknown>;

export function schemaSlot(schema: unknown, root: unknown = schema, seen = new Set<unknown>()): Slot {
  if (schema === true || schema === undefined) return { type: ANY, optional: true };
  if (!isObject(schema)) return { type: ANY, optional: true };
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(root, schema.$ref);
    if (target === undefined || seen.has(target)) return { type: ANY, optional: false };
    return schemaSlot(target, root, new Set([...seen, target]));
  }
  const union = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(union)) return unionSlot(union.map((s) => schemaSlot(s, root, seen)));
  if (Array.isArray(schema.allOf)) {
    const typed = schema.allOf.map((s) => schemaSlot(s, root, seen)).find((s) => s.type.kind !== 'any');
    if (typed) return typed;
  }
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

function unionSlot(members: Slot[]): Slot {
  const optional = members.some((m) => m.optional);
  const typed = members.filter((m) => m.type.kind !== 'any' || !m.optional);
  const kinds = new Set(typed.map((m) => m.type.kind));
  if (typed.length > 0 && kinds.size === 1) return { type: (typed[0] as Slot).type, optional };
  return { type: ANY, optional };
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export type PathStep = string | number;

export type Resolved =
  | { ok: true; slot: Slot }
  | { ok: false; at: number; candidates: readonly string[]; reason: 'no_member' | 'not_object' | 'not_array' };

/**
 * Walks `path` from `start`. A step through an optional member, or an array index, makes the
 * result optional. On failure says which step failed and which member names exist there.
 */
export function resolvePath(start: Slot, path: readonly PathStep[]): Resolved {
  let slot = start;
  for (let i = 0; i < path.length; i++) {
    const step = path[i] as PathStep;
    const t = slot.type;
    if (t.kind === 'any') return { ok: true, slot: { type: ANY, optional: true } };
    if (typeof step === 'number') {
      if (t.kind !== 'array') return { ok: false, at: i, candidates: [], reason: 'not_array' };
      slot = { type: t.items.type, optional: true };
      continue;
    }
    if (t.kind !== 'object') return { ok: false, at: i, candidates: [], reason: 'not_object' };
    const next = t.props.get(step);
    if (!next) {
      // A free-form map (no listed members) may hold any key; a listed object defines its members.
      if (t.open && t.props.size === 0) return { ok: true, slot: { type: ANY, optional: true } };
      return { ok: false, at: i, candidates: [...t.props.keys()], reason: 'no_member' };
    }
    slot = { type: next.type, optional: slot.optional || next.optional };
  }
  return { ok: true, slot };
}
