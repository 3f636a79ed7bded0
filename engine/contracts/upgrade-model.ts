/**
 * What an upgrade produces, worked out from the source schema instead of from documents: each
 * member of the upgraded document with the source schema it satisfies (or the values a step
 * wrote) and whether it is always present. Steps are applied to this model as they would be to
 * a proposal, and a step that names a member the source does not define is an error here, at its
 * position, so the runtime steps it compiles into only ever name real members.
 */
import type { UpgradeAst, UpgradeStepAst } from '../ast/types.js';
import { didYouMean, type Diagnostics, type SourceLoc } from '../errors.js';
import { escapeToken, isObject, pointerSteps, resolveRef } from '../values/json.js';
import type { UpgradeStep } from './upgrade.js';

/** A value a step wrote (a default, a map's target) or one of the source's `enum`/`const` values. */
export interface Written { value: unknown; kind: 'enum' | 'default' | 'map'; loc?: SourceLoc }

export interface Member {
  /** the source subschema the value satisfies; absent when the value is one of `values` */
  schema?: unknown;
  values: Written[];
  /** present whenever the object holding it is */
  always: boolean;
  /** the members, when the source describes the value as an object member by member */
  props?: Map<string, Member>;
  /** whether the object may hold members `props` does not list */
  open: boolean;
  /** where the value was in the source document, for messages */
  from: string;
}

export const COMBINATORS = ['anyOf', 'oneOf', 'allOf', 'not', 'if', 'then', 'else', 'dependentSchemas'] as const;

/** The local `$ref`s at the top of `node`, followed; a cycle or a dangling reference ends as `true` (anything). */
export function deref(node: unknown, root: unknown, ptr = ''): { node: unknown; ptr: string } {
  for (let hops = 0; isObject(node) && typeof node.$ref === 'string'; hops++) {
    if (hops > 32 || !node.$ref.startsWith('#')) return { node: true, ptr };
    ptr = node.$ref.slice(1);
    node = resolveRef(root, node.$ref) ?? true;
  }
  return { node, ptr };
}

export function modelOf(node: unknown, root: unknown, always: boolean, from: string): Member {
  const s = deref(node, root).node;
  if (!isObject(s)) return { schema: s, values: [], always, open: true, from };
  const finite = Array.isArray(s.enum) ? s.enum : 'const' in s ? [s.const] : undefined;
  if (finite) return { values: finite.map((value) => ({ value, kind: 'enum' as const })), always, open: false, from };
  if (!isObject(s.properties) || COMBINATORS.some((k) => k in s)) return { schema: s, values: [], always, open: true, from };
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const props = new Map<string, Member>();
  for (const [name, sub] of Object.entries(s.properties)) props.set(name, modelOf(sub, root, required.has(name), `${from}/${escapeToken(name)}`));
  // A member required but not described may hold anything, and is there.
  for (const name of required) if (!props.has(name)) props.set(name, { schema: true, values: [], always: true, open: true, from: `${from}/${escapeToken(name)}` });
  return { schema: s, values: [], always, props, open: s.additionalProperties !== false && s.unevaluatedProperties !== false, from };
}

/**
 * Applies the upgrade's steps to the model of its source contract `source` (a ref, for messages).
 * Returns the runtime steps, or undefined after reporting a step that cannot apply.
 */
export function applyToModel(doc: Member, ast: UpgradeAst, source: string, diags: Diagnostics): UpgradeStep[] | undefined {
  const out: UpgradeStep[] = [];
  const before = diags.errorCount;
  for (const step of ast.steps) {
    const compiled = applyStep(doc, step, source, diags);
    if (compiled) out.push(compiled);
  }
  return diags.errorCount === before ? out : undefined;
}

function applyStep(doc: Member, s: UpgradeStepAst, source: string, diags: Diagnostics): UpgradeStep | undefined {
  const fail = (message: string, help?: string) => { diags.error('invalid_upgrade', message, s.loc, help); return undefined; };
  const at = s.op === 'move' ? s.from : s.at;
  const place = locate(doc, pointerSteps(at), source);
  if ('message' in place) return fail(place.message, place.help);
  const { parent, name, steps } = place;
  const member = parent.props.get(name);
  if (!member && s.op !== 'default') {
    const hint = didYouMean(name, parent.props.keys());
    return fail(`\`${s.op}\` names \`${at}\`, which \`${source}\` does not define`, hint ? `did you mean \`${hint}\`?` : undefined);
  }
  switch (s.op) {
    case 'rename':
    case 'move': {
      const toSteps = s.op === 'rename' ? [...steps.slice(0, -1), s.to] : pointerSteps(s.to);
      const target = s.op === 'rename' ? parent : makeParents(doc, toSteps.slice(0, -1), member!.always);
      if (typeof target === 'string') return fail(target);
      const toName = toSteps.at(-1)!;
      if (target.props!.has(toName)) return fail(`\`${s.op}\` writes \`/${toSteps.map(escapeToken).join('/')}\`, which is already there`, `drop it in an earlier step, or ${s.op} to another name`);
      parent.props.delete(name);
      target.props!.set(toName, member!);
      return { op: 'move', from: steps, to: toSteps };
    }
    case 'default':
      if (member) {
        member.always = true;
        member.values.push({ value: s.value, kind: 'default', loc: s.loc });
      } else {
        parent.props.set(name, { values: [{ value: s.value, kind: 'default', loc: s.loc }], always: true, open: false, from: at });
      }
      return { op: 'default', at: steps, value: s.value };
    case 'map': {
      const finite = member!.schema === undefined;
      const seen = new Set(member!.values.map((v) => String(v.value)));
      const unknown = [...s.values.keys()].filter((k) => !seen.has(k));
      if (finite && unknown.length) {
        return fail(`\`map\` at \`${at}\` maps ${unknown.map((k) => `\`${k}\``).join(', ')}, which \`${source}\` does not allow there`,
          `\`${source}\` allows ${[...seen].map((k) => `\`${k}\``).join(', ')}`);
      }
      member!.values = member!.values.map((v) => (s.values.has(String(v.value)) ? { value: s.values.get(String(v.value)), kind: 'map', loc: s.loc } : v));
      if (!finite) for (const value of s.values.values()) member!.values.push({ value, kind: 'map', loc: s.loc });
      return { op: 'map', at: steps, values: s.values };
    }
    case 'drop':
      parent.props.delete(name);
      return { op: 'drop', at: steps };
  }
}

type Place = { parent: Member & { props: Map<string, Member> }; name: string; steps: string[] };

const NOT_LISTED = 'upgrade steps name members of objects the contract lists (no array items, no `anyOf` branches)';

/** The object holding the member at `steps`, or why there is none. */
function locate(doc: Member, steps: string[], source: string): Place | { message: string; help?: string } {
  let node = doc;
  for (let i = 0; i < steps.length - 1; i++) {
    const next = node.props?.get(steps[i]!);
    const prefix = `/${steps.slice(0, i + 1).map(escapeToken).join('/')}`;
    if (!next) return { message: `\`${prefix}\` is not a member of \`${source}\`` };
    if (!next.props) return { message: `\`${prefix}\` is not an object with listed members in \`${source}\``, help: NOT_LISTED };
    node = next;
  }
  if (!node.props) return { message: `the document of \`${source}\` is not an object with listed members`, help: NOT_LISTED };
  return { parent: node as Place['parent'], name: steps.at(-1)!, steps };
}

/** The object at `steps`, with the objects on the way made where absent (as a move makes them). */
function makeParents(doc: Member, steps: string[], always: boolean): Member | string {
  let node = doc;
  for (let i = 0; i < steps.length; i++) {
    let next = node.props!.get(steps[i]!);
    if (!next) {
      next = { props: new Map(), values: [], always, open: false, from: '' };
      node.props!.set(steps[i]!, next);
    }
    if (!next.props) return `\`move\` writes into \`/${steps.slice(0, i + 1).map(escapeToken).join('/')}\`, which is not an object with listed members`;
    node = next;
  }
  return node;
}
