/**
 * A contract as a tool's `input_schema`: the JSON Schema subset model providers accept for
 * constrained tool calls. Providers take types, properties, required members, enums, consts,
 * items, `anyOf` and a handful of string formats; they refuse or ignore bounds, lengths,
 * patterns, multiples, references and conditionals. What the subset cannot say is dropped here,
 * listed (so a policy owner sees what the model is not held to), and written into the member's
 * description as a hint. Nothing is lost: the gate enforces the whole contract with ajv, and the
 * adapter re-asks with its errors.
 *
 * Dropping only ever loosens the schema the model sees, never the one the proposal is checked
 * against, so a contract the subset cannot express still fails closed.
 */
import { escapeToken, isObject, resolveRef } from '../../engine/internal.js';

export interface Dropped {
  /** the subschema that holds it, as a JSON Pointer into the contract (a reference's target: where it is used) */
  pointer: string;
  keyword: string;
  value: unknown;
}

export interface ToolSchema {
  schema: Record<string, unknown>;
  dropped: Dropped[];
}

/** Formats the providers' constrained decoding knows; others are dropped to a hint. */
export const PROVIDER_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'uri', 'ipv4', 'ipv6', 'uuid']);

/** Kept as written; subschemas are converted in turn. */
const KEPT = new Set(['type', 'enum', 'const', 'description', 'title', 'required']);
/** Said in the description instead: how each reads to the model. */
const HINTS: Record<string, (v: unknown) => string> = {
  minimum: (v) => `at least ${String(v)}`,
  maximum: (v) => `at most ${String(v)}`,
  exclusiveMinimum: (v) => `more than ${String(v)}`,
  exclusiveMaximum: (v) => `less than ${String(v)}`,
  multipleOf: (v) => `a multiple of ${String(v)}`,
  minLength: (v) => `at least ${String(v)} characters`,
  maxLength: (v) => `at most ${String(v)} characters`,
  pattern: (v) => `matching the regular expression ${String(v)}`,
  format: (v) => `in the format ${String(v)}`,
  minItems: (v) => `at least ${String(v)} items`,
  maxItems: (v) => `at most ${String(v)} items`,
  uniqueItems: (v) => (v === true ? 'no item twice' : ''),
};
/** Structure a reference may not reach through: past this depth a reference is dropped. */
const MAX_REF_DEPTH = 8;

export function toolSchema(contract: Readonly<Record<string, unknown>>): ToolSchema {
  const dropped: Dropped[] = [];
  const schema = convert(contract, '', contract, dropped, []);
  if (schema.type !== 'object') schema.type = 'object';
  return { schema, dropped };
}

function convert(node: unknown, at: string, root: Readonly<Record<string, unknown>>, dropped: Dropped[], refs: string[]): Record<string, unknown> {
  if (!isObject(node)) return {};
  const out: Record<string, unknown> = {};
  const hints: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    const here = `${at}/${key}`;
    if (KEPT.has(key)) out[key] = value;
    else if (key === 'format' && typeof value === 'string' && PROVIDER_FORMATS.has(value)) out.format = value;
    else if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, convert(sub, `${here}/${escapeToken(name)}`, root, dropped, refs)]));
    } else if (key === 'items' && isObject(value)) out.items = convert(value, here, root, dropped, refs);
    else if (key === 'additionalProperties') out.additionalProperties = typeof value === 'boolean' ? value : convert(value, here, root, dropped, refs);
    else if ((key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      // oneOf read as anyOf: the model may produce a value two branches accept; ajv still refuses it.
      if (key === 'oneOf') dropped.push({ pointer: at, keyword: 'oneOf', value: 'read as anyOf' });
      out.anyOf = value.map((sub, i) => convert(sub, `${here}/${i}`, root, dropped, refs));
    } else if (key === '$ref' && typeof value === 'string') {
      const target = value.startsWith('#') && refs.length < MAX_REF_DEPTH && !refs.includes(value) ? resolveRef(root, value) : undefined;
      if (isObject(target)) Object.assign(out, convert(target, at, root, dropped, [...refs, value]));
      else dropped.push({ pointer: at, keyword: '$ref', value });
    } else if (key === '$schema' || key === '$id' || key === '$defs' || key === 'definitions' || key === '$comment' || key === 'examples' || key === 'default') {
      // not constraints: the references they hold are inlined where used
    } else {
      dropped.push({ pointer: at, keyword: key, value });
      const hint = HINTS[key]?.(value);
      if (hint) hints.push(hint);
    }
  }
  if (hints.length) out.description = [typeof out.description === 'string' ? out.description : '', `(${hints.join('; ')})`].filter(Boolean).join(' ');
  return out;
}

