/**
 * What `arbiter prop` reads off a JSON Schema contract besides values, once per contract: the
 * members an input may lack (optional or nullable), the edits that break the contract, and the
 * step between neighbouring values of a number (for boundaries). Inputs are changed by copying
 * the path to one member, never the whole input.
 */
import { isObject, resolveRef } from '../../engine/internal.js';

type Schema = Record<string, unknown>;

export type Steps = readonly string[];

function resolve(s: unknown, root: unknown): Schema | undefined {
  let node = s;
  for (let i = 0; i < 8 && isObject(node) && typeof node.$ref === 'string'; i++) {
    node = resolveRef(root, node.$ref);
  }
  return isObject(node) ? node : undefined;
}

function types(s: Schema): string[] {
  return Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
}

/** The schema of the member at `steps` (object members only). */
export function memberSchema(schema: unknown, steps: Steps): Schema | undefined {
  let s = resolve(schema, schema);
  for (const step of steps) {
    const props = s && isObject(s.properties) ? s.properties : undefined;
    s = props ? resolve(props[step], schema) : undefined;
  }
  return s;
}

/** Every member of the contract's objects (not inside lists), with whether it is required and may be null. */
function members(schema: unknown): { steps: Steps; s: Schema | undefined; required: boolean; open: boolean }[] {
  const out: { steps: Steps; s: Schema | undefined; required: boolean; open: boolean }[] = [];
  const walk = (node: unknown, at: string[], depth: number) => {
    const s = resolve(node, schema);
    if (!s || !isObject(s.properties) || depth > 8) return;
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    for (const [k, sub] of Object.entries(s.properties)) {
      out.push({ steps: [...at, k], s: resolve(sub, schema), required: required.has(k), open: s.additionalProperties !== false });
      walk(sub, [...at, k], depth + 1);
    }
  };
  walk(schema, [], 0);
  return out;
}

/** A member a valid input may lack: an optional one goes (`absent`), a required nullable one becomes null. */
export interface Droppable { steps: Steps; as: 'absent' | 'null' }

export function droppableMembers(schema: unknown): Droppable[] {
  return members(schema).flatMap((m): Droppable[] => {
    if (!m.required) return [{ steps: m.steps, as: 'absent' }];
    return m.s && types(m.s).includes('null') ? [{ steps: m.steps, as: 'null' }] : [];
  });
}

/** Whether a droppable member is there to drop in `value`. */
export function canDrop(d: Droppable, value: unknown): boolean {
  const v = getAt(value, d.steps);
  return d.as === 'absent' ? v !== undefined : v !== undefined && v !== null;
}

/** An edit that the contract must refuse: `to` gives the member's new value (undefined: remove it). */
export interface Breach { steps: Steps; what: string; needs: 'member' | 'parent'; to: () => unknown }

const ABSENT = () => undefined;

/** Ways to break the contract at each member: drop what is required, wrong types, out-of-range values, unknown members. */
export function breachesOf(schema: unknown): Breach[] {
  const out: Breach[] = [];
  const top = resolve(schema, schema);
  if (top?.additionalProperties === false) out.push({ steps: ['unexpected_member'], what: 'a member the contract does not define', needs: 'parent', to: () => 1 });
  for (const m of members(schema)) {
    const { steps, s } = m;
    if (m.required) out.push({ steps, what: 'a required member missing', needs: 'member', to: ABSENT });
    if (s && isObject(s.properties) && s.additionalProperties === false) {
      out.push({ steps: [...steps, 'unexpected_member'], what: 'a member the contract does not define', needs: 'parent', to: () => 1 });
    }
    if (!s) continue;
    const t = types(s);
    const wrong = !t.length ? undefined : !t.includes('string') ? 'not a number' : !t.includes('number') && !t.includes('integer') ? 42 : undefined;
    if (wrong !== undefined) out.push({ steps, what: 'a value of the wrong type', needs: 'parent', to: () => wrong });
    if (Array.isArray(s.enum)) {
      const bad = typeof s.enum[0] === 'number' ? -987654321 : 'not_in_the_enum';
      out.push({ steps, what: 'a value outside the enum', needs: 'parent', to: () => bad });
    }
    const max = typeof s.maximum === 'number' ? s.maximum : typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum : undefined;
    if (max !== undefined) out.push({ steps, what: 'a number above its maximum', needs: 'parent', to: () => max + 1 });
    const min = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum : undefined;
    if (min !== undefined) out.push({ steps, what: 'a number below its minimum', needs: 'parent', to: () => min - 1 });
    if (typeof s.maxLength === 'number' && s.maxLength < 10_000) {
      const long = 'x'.repeat(s.maxLength + 1);
      out.push({ steps, what: 'a string longer than its maxLength', needs: 'parent', to: () => long });
    }
    if (typeof s.format === 'string') out.push({ steps, what: `a string that is not a valid ${s.format}`, needs: 'parent', to: () => 'not-a-valid-value' });
  }
  return out;
}

/** Whether a breach has something to act on in `value`. */
export function canBreach(b: Breach, value: unknown): boolean {
  return b.needs === 'member' ? getAt(value, b.steps) !== undefined : isObject(getAt(value, b.steps.slice(0, -1)));
}

/** The distance between neighbouring values of a number member: its `multipleOf`, 1 for integers, else 0.01. */
export function numberStep(s: Schema | undefined): number {
  if (!s) return 0.01;
  if (typeof s.multipleOf === 'number') return s.multipleOf;
  return types(s).includes('integer') ? 1 : 0.01;
}

/** Places after the point that a number member's step needs. */
export function placesOf(step: number): number {
  return Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
}

export function getAt(root: unknown, steps: Steps): unknown {
  let o = root;
  for (const step of steps) o = isObject(o) && Object.prototype.hasOwnProperty.call(o, step) ? o[step] : undefined;
  return o;
}

/**
 * A copy of `root` with the member at `steps` set to `value` (removed when undefined); only the
 * objects on the path are copied. Undefined when a parent on the path is not an object.
 */
export function withAt(root: unknown, steps: Steps, value: unknown): Record<string, unknown> | undefined {
  if (!isObject(root)) return undefined;
  const [head, ...rest] = steps;
  const copy = { ...root };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head!];
    else copy[head!] = value;
    return copy;
  }
  const inner = withAt(root[head!], rest, value);
  if (!inner) return undefined;
  copy[head!] = inner;
  return copy;
}
