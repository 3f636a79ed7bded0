/**
 * Proves, from the two schemas, that an upgrade turns every document valid against its source
 * into one valid against its target, or says which members it cannot guarantee.
 *
 * The model of the upgraded document (upgrade-model.ts) is walked against the target schema.
 * Values a step wrote, and `enum` values, are checked exactly, by ajv against the target's
 * subschema. Other members compare keyword by keyword: the source must state the target's
 * constraint or a tighter one. Where every source document fails (a required member no step
 * sets, a member the target forbids, a type the target never takes, a default it refuses) the
 * upgrade is an `upgrade_incompatible` error; where only some may, or the check cannot tell, an
 * `upgrade_unproven` warning, since a target may mean to refuse what its source allowed.
 */
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { Diagnostics, SourceLoc } from '../errors.js';
import { errorText } from './validate.js';
import { canonicalJson } from '../values/canonical.js';
import { escapeToken, isObject } from '../values/json.js';
import { Rational } from '../values/rational.js';
import { COMBINATORS, deref, modelOf, type Member, type Written } from './upgrade-model.js';

export interface ProofContext {
  from: string;
  to: string;
  fromRoot: unknown;
  toRoot: unknown;
  /** why `value` does not satisfy the target's subschema at the JSON Pointer `ptr`, or undefined when it does */
  refuses(ptr: string, value: unknown): string | undefined;
  diags: Diagnostics;
  /** where the upgrade file says what it upgrades to: where findings with no step of their own go */
  loc: SourceLoc;
}

/** Validates values against subschemas of `schema`, compiled as they are asked for. */
export function subschemaValidator(ajv: Ajv2020, schema: object, key: string): ProofContext['refuses'] {
  ajv.addSchema(schema, key);
  return (ptr, value) => {
    const v = ajv.getSchema(`${key}#${ptr.split('/').map(encodeURIComponent).join('/')}`);
    if (!v) return 'the check cannot read that part of the schema';
    if (v(value) === true) return undefined;
    const e = v.errors?.[0];
    return e ? `${e.instancePath ? `\`${e.instancePath}\` ` : ''}${errorText(e)}` : 'it is refused';
  };
}

const ANNOTATIONS = new Set(['$schema', '$id', '$comment', '$defs', 'title', 'description', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly']);
const STRUCTURE = new Set(['type', 'properties', 'required', 'additionalProperties', 'unevaluatedProperties', 'items', '$ref']);
const AT_LEAST = ['minLength', 'minItems', 'minProperties', 'minContains'];
const AT_MOST = ['maxLength', 'maxItems', 'maxProperties', 'maxContains'];
const BOUNDS = new Set(['minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum']);

export function prove(m: Member, target: unknown, ptr: string, path: string, ctx: ProofContext): void {
  const t = deref(target, ctx.toRoot, ptr);
  if (t.node === true || (isObject(t.node) && Object.keys(t.node).every((k) => ANNOTATIONS.has(k)))) return;
  for (const v of m.values) {
    const why = ctx.refuses(t.ptr, v.value);
    if (why !== undefined) refused(v, why, path, m, ctx);
  }
  if (t.node === false) {
    if (m.schema !== undefined) report(ctx, m.always, `\`${path}\` is not allowed by \`${ctx.to}\``, 'drop it, or rename it to a member the target defines');
  } else if (m.props) proveObject(m, t.node as Record<string, unknown>, t.ptr, path, ctx);
  else if (m.schema !== undefined) proveSchema(m, t.node as Record<string, unknown>, t.ptr, path, ctx);
}

function refused(v: Written, why: string, path: string, m: Member, ctx: ProofContext): void {
  const shown = JSON.stringify(v.value);
  if (v.kind === 'enum') {
    ctx.diags.warn('upgrade_unproven', `\`${path}\` may be ${shown} in \`${ctx.from}\`${renamed(m, path)}, which \`${ctx.to}\` does not allow`, ctx.loc,
      `map it to a value \`${ctx.to}\` allows (\`- map: { at: ${path}, values: { ${String(v.value)}: … } }\`), or leave it and such proposals are rejected`);
  } else {
    ctx.diags.error('upgrade_incompatible', `the ${v.kind === 'default' ? 'default' : 'value mapped to'} ${shown} for \`${path}\` does not satisfy \`${ctx.to}\`: it ${why}`, v.loc ?? ctx.loc);
  }
}

function proveObject(m: Member, t: Record<string, unknown>, ptr: string, path: string, ctx: ProofContext): void {
  const types = typesOf(t);
  if (types && !types.has('object')) {
    report(ctx, m.always, `\`${path || '/'}\` is an object in \`${ctx.from}\`${renamed(m, path)} but ${describeTypes(types)} in \`${ctx.to}\``);
    return;
  }
  if (COMBINATORS.some((k) => k in t)) {
    if (m.schema === undefined || !same(m.schema, ctx.fromRoot, t, ctx.toRoot)) cannotCompare(path, ctx);
    return;
  }
  const props = isObject(t.properties) ? t.properties : {};
  for (const name of Array.isArray(t.required) ? (t.required as string[]) : []) {
    const c = m.props!.get(name);
    const p = `${path}/${escapeToken(name)}`;
    const help = `add a step \`- default: { at: ${p}, value: … }\``;
    if (!c) ctx.diags.error('upgrade_incompatible', `\`${p}\` is required by \`${ctx.to}\`, but \`${ctx.from}\` does not define it and no step sets it`, ctx.loc, help);
    else if (!c.always && c.from === '') ctx.diags.warn('upgrade_unproven', `\`${p}\` is required by \`${ctx.to}\`, but the upgrade makes it only when a member it moves there is present`, ctx.loc, help);
    else if (!c.always) ctx.diags.warn('upgrade_unproven', `\`${p}\` is required by \`${ctx.to}\` but optional in \`${ctx.from}\`${renamed(c, p)}`, ctx.loc, help);
  }
  const closed = (t.additionalProperties === false || t.unevaluatedProperties === false) && t.patternProperties === undefined;
  for (const [name, c] of m.props!) {
    const p = `${path}/${escapeToken(name)}`;
    if (Object.prototype.hasOwnProperty.call(props, name)) prove(c, props[name], `${ptr}/properties/${escapeToken(name)}`, p, ctx);
    else if (closed) report(ctx, c.always, `\`${p}\`${renamed(c, p)} is not allowed by \`${ctx.to}\``, `drop it (\`- drop: ${c.from || p}\`), or rename it to a member \`${ctx.to}\` defines`);
    else if (isObject(t.additionalProperties)) prove(c, t.additionalProperties, `${ptr}/additionalProperties`, p, ctx);
  }
  if (m.open && closed) ctx.diags.warn('upgrade_unproven', `\`${ctx.from}\` allows members at \`${path || '/'}\` that it does not list, which \`${ctx.to}\` does not allow`, ctx.loc);
  checkKeywords(m.schema, t, path, ctx, (k) => !STRUCTURE.has(k));
}

function proveSchema(m: Member, t: Record<string, unknown>, ptr: string, path: string, ctx: ProofContext): void {
  if (same(m.schema, ctx.fromRoot, t, ctx.toRoot)) return;
  const s = deref(m.schema, ctx.fromRoot).node;
  if (s === false) return;
  const [st, tt] = [isObject(s) ? typesOf(s) : undefined, typesOf(t)];
  if (tt && st && ![...st].some((x) => overlaps(x, tt))) {
    report(ctx, m.always, `\`${path}\` is ${describeTypes(st)} in \`${ctx.from}\`${renamed(m, path)} but ${describeTypes(tt)} in \`${ctx.to}\``);
    return;
  }
  if (!isObject(s) || (tt && (!st || ![...st].every((x) => within(x, tt))))) {
    ctx.diags.warn('upgrade_unproven', `\`${path}\`${renamed(m, path)} may have a type that \`${ctx.to}\` does not allow (${describeTypes(tt ?? new Set())})`, ctx.loc);
    return;
  }
  if (COMBINATORS.some((k) => k in t || k in s)) return cannotCompare(path, ctx);
  if (t.items !== undefined) prove(modelOf(s.items ?? true, ctx.fromRoot, false, `${m.from}/*`), t.items, `${ptr}/items`, `${path}/*`, ctx);
  if (isObject(t.properties) || Array.isArray(t.required)) cannotCompare(path, ctx);
  checkKeywords(s, t, path, ctx, (k) => !STRUCTURE.has(k));
}

/** Each constraint of the target must be stated by the source, or a tighter one. */
function checkKeywords(source: unknown, t: Record<string, unknown>, path: string, ctx: ProofContext, wanted: (k: string) => boolean): void {
  const s = isObject(source) ? source : {};
  for (const [k, want] of Object.entries(t)) {
    if (ANNOTATIONS.has(k) || BOUNDS.has(k) || !wanted(k)) continue;
    const have = s[k];
    const ok = have !== undefined && (sameKeyword(k, have, ctx.fromRoot, want, ctx.toRoot)
      || (AT_LEAST.includes(k) && (have as number) >= (want as number))
      || (AT_MOST.includes(k) && (have as number) <= (want as number))
      || (k === 'uniqueItems' && (want === false || have === true))
      || (k === 'multipleOf' && Rational.fromNumber(have as number).div(Rational.fromNumber(want as number)).isInteger()));
    if (!ok && !(k === 'uniqueItems' && want === false)) unproven(path, `${k}: ${JSON.stringify(want)}`, ctx);
  }
  for (const side of ['lower', 'upper'] as const) {
    const want = bound(t, side);
    if (want && !implies(bound(s, side), want, side)) unproven(path, `${want.exclusive ? (side === 'lower' ? 'exclusiveMinimum' : 'exclusiveMaximum') : side === 'lower' ? 'minimum' : 'maximum'}: ${want.value}`, ctx);
  }
}

function unproven(path: string, constraint: string, ctx: ProofContext): void {
  ctx.diags.warn('upgrade_unproven', `\`${path}\` may not satisfy \`${ctx.to}\`: it sets \`${constraint}\`, which \`${ctx.from}\` does not guarantee`, ctx.loc,
    'proposals that break it are rejected after the upgrade, with `contract.upgraded.*` errors');
}

function cannotCompare(path: string, ctx: ProofContext): void {
  ctx.diags.warn('upgrade_unproven', `\`${path || '/'}\` cannot be compared: \`${ctx.from}\` and \`${ctx.to}\` describe it differently with \`anyOf\`, \`oneOf\`, \`allOf\`, \`if\` or \`not\``, ctx.loc,
    'the check proves members whose schemas are equal, or are plain types, enums, bounds and objects; proposals that break the target are rejected after the upgrade');
}

function report(ctx: ProofContext, always: boolean, message: string, help?: string): void {
  if (always) ctx.diags.error('upgrade_incompatible', message, ctx.loc, help);
  else ctx.diags.warn('upgrade_unproven', message, ctx.loc, help);
}

const renamed = (m: Member, path: string) => (m.from && m.from !== path ? ` (\`${m.from}\` before the upgrade)` : '');

interface Bound { value: number; exclusive: boolean }

function bound(s: Record<string, unknown>, side: 'lower' | 'upper'): Bound | undefined {
  const [incl, excl] = side === 'lower' ? [s.minimum, s.exclusiveMinimum] : [s.maximum, s.exclusiveMaximum];
  const a = typeof incl === 'number' ? { value: incl, exclusive: false } : undefined;
  const b = typeof excl === 'number' ? { value: excl, exclusive: true } : undefined;
  if (!a || !b) return a ?? b;
  const tighter = side === 'lower' ? b.value >= a.value : b.value <= a.value;
  return tighter ? b : a;
}

function implies(have: Bound | undefined, want: Bound, side: 'lower' | 'upper'): boolean {
  if (!have) return false;
  if (have.value !== want.value) return side === 'lower' ? have.value > want.value : have.value < want.value;
  return have.exclusive || !want.exclusive;
}

function typesOf(s: Record<string, unknown>): Set<string> | undefined {
  if (typeof s.type === 'string') return new Set([s.type]);
  if (Array.isArray(s.type)) return new Set(s.type as string[]);
  const values = Array.isArray(s.enum) ? s.enum : 'const' in s ? [s.const] : undefined;
  return values && new Set(values.map(jsonType));
}

const within = (x: string, ts: Set<string>) => ts.has(x) || (x === 'integer' && ts.has('number'));
const overlaps = (x: string, ts: Set<string>) => within(x, ts) || (x === 'number' && ts.has('integer'));
const describeTypes = (ts: Set<string>) => [...ts].map((t) => `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`).join(' or ');

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
}

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas', '$defs']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_VALUES = new Set(['items', 'not', 'if', 'then', 'else', 'additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', 'contains', 'propertyNames']);

/** Whether two subschemas say the same, following local `$ref`s on both sides; annotations aside. */
function same(a: unknown, ra: unknown, b: unknown, rb: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  a = deref(a, ra).node;
  b = deref(b, rb).node;
  if (!isObject(a) || !isObject(b)) return a === b;
  const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => !ANNOTATIONS.has(k)).sort();
  const [ka, kb] = [keys(a), keys(b)];
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameKeyword(k, a[k], ra, b[k], rb, depth + 1));
}

/** Whether one keyword's values say the same: subschemas compare as schemas, anything else as JSON. */
function sameKeyword(k: string, a: unknown, ra: unknown, b: unknown, rb: unknown, depth = 0): boolean {
  if (SCHEMA_VALUES.has(k)) return same(a, ra, b, rb, depth);
  if (SCHEMA_LISTS.has(k)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, ra, b[i], rb, depth));
  if (SCHEMA_MAPS.has(k)) {
    if (!isObject(a) || !isObject(b) || Object.keys(a).length !== Object.keys(b).length) return false;
    return Object.keys(a).every((name) => Object.prototype.hasOwnProperty.call(b, name) && same(a[name], ra, b[name], rb, depth));
  }
  return canonicalJson(a) === canonicalJson(b);
}
