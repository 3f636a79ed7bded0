/**
 * Resolving fact names against the contracts: `proposal.amount`, `context.order.total`, a derived
 * fact, `now`, `today`, a quantifier's element (`item.price`), or a json-rules-engine fact with a
 * JSONPath (`fact: customer`, `path: $.tier`), whose bare name is looked up in the proposal and
 * then the context.
 */
import type { FactRefAst, Loc } from '../ast/types.js';
import { didYouMean } from '../errors.js';
import { resolvePath, type Known, type PathStep } from '../contracts/shape.js';
import { DATE, INSTANT, type Slot, type Type } from '../contracts/types.js';
import type { Conv } from '../eval/runtime.js';
import { optionalSources, type Val } from './ir.js';
import { resolveDerived } from './expressions.js';
import type { Scope } from './scope.js';

const JSONPATH_STEP = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y;

/** Steps of a JSONPath limited to member and index steps (`$.a.b`, `$.a[0]`, `$['a b']`). */
export function parseJsonPath(path: string): PathStep[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const steps: PathStep[] = [];
  JSONPATH_STEP.lastIndex = 1;
  let end = 1;
  for (let m = JSONPATH_STEP.exec(path); m; m = JSONPATH_STEP.exec(path)) {
    steps.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1')));
    end = JSONPATH_STEP.lastIndex;
  }
  return end === path.length ? steps : undefined;
}

export function stepsText(steps: readonly PathStep[]): string {
  return steps.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
}

export function convOf(t: Type): Conv {
  if (t.kind === 'instant') return 'instant';
  if (t.kind === 'date') return 'date';
  if (t.kind === 'number' && t.decimalString) return 'decimal';
  return 'none';
}

/** Plain values are JS primitives at run time, so comparisons on them compile to `<` and `===`. */
export function isPlain(t: Type, conv: Conv): boolean {
  if (conv === 'none') return t.kind === 'number' || t.kind === 'string' || t.kind === 'boolean';
  return conv === 'date' || conv === 'number' || conv === 'string' || conv === 'boolean';
}

/** `unknown` is the code for a name that defines no fact: `unknown_placeholder` in a reason. */
export function resolveFact(ref: FactRefAst, s: Scope, unknown: UnknownCode = 'unknown_fact'): Val | undefined {
  const a = s.action;
  const named = nameOf(ref);
  if (!named) {
    a.diags.error('unsupported_path', `${s.who} uses path \`${ref.path}\`, which is not a plain member path`, ref.loc,
      'write member and index steps only, such as `$.customer.tier` or `$.items[0].price`');
    return undefined;
  }
  const { head, steps, text } = named;
  const origin = originOf(head, steps, s);
  if (origin) return read(origin, text, ref.loc, s, unknown);
  if (head === 'context') {
    a.diags.error(unknown, `${s.who} reads \`${text}\`, but action \`${a.action}\` has no context contract`, ref.loc,
      'add `context: <id>@<version>` to the action in rules.registry.yaml');
    return undefined;
  }
  if ((head === 'now' || head === 'today') && steps.length === 0) {
    return head === 'now' ? { k: 'now', slot: { type: INSTANT, optional: false }, text: 'now' } : { k: 'today', slot: { type: DATE, optional: false }, text: 'today' };
  }
  if (a.deriveAst.has(head)) {
    a.used.add(`derive:${head}`);
    const d = resolveDerived(head, s);
    if (!d) return undefined;
    if (steps.length) {
      a.diags.error(unknown, `${s.who} reads \`${text}\`, but derived fact \`${head}\` has no members`, ref.loc);
      return undefined;
    }
    return { k: 'derived', index: d.index, slot: d.expr.slot, mayFail: d.mayFail, text: head, sources: d.expr.slot.optional ? optionalSources(d.expr) : [] };
  }
  if (memberOf(a.proposal.slot, head) && a.context && memberOf(a.context.slot, head)) {
    a.diags.error('ambiguous_fact', `${s.who} reads \`${head}\`, which both the proposal and the context define`, ref.loc,
      `write \`proposal.${head}\` or \`context.${head}\``);
    return undefined;
  }
  unknownFact(text, s, ref.loc, unknown);
  return undefined;
}

/**
 * The key of a fact that tests a discriminator (a member whose value types its siblings), for
 * narrowing those siblings where the test is known to hold; undefined for any other fact. Quiet:
 * the fact is resolved, and reported, when its condition is.
 */
export function discriminatorKey(ref: FactRefAst, s: Scope): string | undefined {
  const named = nameOf(ref);
  const origin = named && originOf(named.head, named.steps, s);
  const member = origin?.steps.at(-1);
  if (!origin || typeof member !== 'string') return undefined;
  const parent = resolvePath(origin.start, origin.steps.slice(0, -1), knownAt(origin, s));
  const t = parent.ok ? parent.slot.type : undefined;
  return t?.kind === 'object' && t.variants?.by === member ? readKey(origin.root, origin.depth, origin.steps) : undefined;
}

/** Identifies a member read: the same key for `proposal.field`, a bare `field` and `$.field`. */
export function readKey(root: string, depth: number, steps: readonly PathStep[]): string {
  return `${root}:${depth}:${JSON.stringify(steps)}`;
}

function nameOf(ref: FactRefAst): { head: string; steps: PathStep[]; text: string } | undefined {
  const extra = ref.path === undefined ? [] : parseJsonPath(ref.path);
  if (!extra) return undefined;
  const [head = '', ...rest] = ref.name.split('.');
  return { head, steps: [...rest, ...extra], text: ref.name + stepsText(extra) };
}

/** Where a member read starts: the proposal, the context or a quantifier's element, with the steps from there. */
interface Origin { root: 'proposal' | 'context' | 'item'; depth: number; start: Slot; steps: PathStep[]; owner: string }

function originOf(head: string, steps: PathStep[], s: Scope): Origin | undefined {
  const a = s.action;
  for (let depth = s.items.length - 1; depth >= 0; depth--) {
    const item = s.items[depth]!;
    if (item.name === head) return { root: 'item', depth, start: item.slot, steps, owner: `the elements of \`${item.name}\`` };
  }
  if (head === 'proposal') return { root: 'proposal', depth: 0, start: a.proposal.slot, steps, owner: `contract \`${a.proposal.name}\`` };
  if (head === 'context') return a.context && { root: 'context', depth: 0, start: a.context.slot, steps, owner: `contract \`${a.context.name}\`` };
  if (((head === 'now' || head === 'today') && steps.length === 0) || a.deriveAst.has(head)) return undefined;
  // A bare json-rules-engine fact: a top-level member of the proposal or of the context, not of both.
  const inProposal = memberOf(a.proposal.slot, head);
  const inContext = a.context ? memberOf(a.context.slot, head) : false;
  if (inProposal === inContext) return undefined;
  const c = inProposal ? a.proposal : a.context!;
  return { root: inProposal ? 'proposal' : 'context', depth: 0, start: c.slot, steps: [head, ...steps], owner: `contract \`${c.name}\`` };
}

function memberOf(slot: Slot, name: string): boolean {
  return slot.type.kind === 'object' && slot.type.props.has(name);
}

type UnknownCode = 'unknown_fact' | 'unknown_placeholder';

function knownAt(o: Origin, s: Scope): Known | undefined {
  const known = s.known;
  return known && ((steps) => known.get(readKey(o.root, o.depth, steps)));
}

function read(o: Origin, text: string, loc: Loc, s: Scope, unknown: UnknownCode): Val | undefined {
  const { root, depth, steps } = o;
  const r = resolvePath(o.start, steps, knownAt(o, s));
  if (!r.ok) {
    const prefix = root === 'item' ? s.items[depth]!.name : root;
    const at = prefix + stepsText(steps.slice(0, r.at));
    const bad = steps[r.at];
    if (r.reason === 'no_member') {
      const hint = didYouMean(String(bad), r.candidates);
      s.action.diags.error(unknown, `${s.who} reads \`${text}\`, which ${o.owner} does not define`, loc,
        hint ? `did you mean \`${at}.${hint}\`?` : r.candidates.length ? `\`${at}\` has ${r.candidates.map((c) => `\`${c}\``).join(', ')}` : undefined);
    } else {
      s.action.diags.error(unknown, `${s.who} reads \`${text}\`, but \`${at}\` is not ${r.reason === 'not_array' ? 'a list' : 'an object'} in ${o.owner}`, loc);
    }
    return undefined;
  }
  const conv = r.narrowed ? checkedConv(r.slot.type) : convOf(r.slot.type);
  return { k: 'read', root, depth, steps, conv, slot: r.slot, plain: isPlain(r.slot.type, conv), text, ...(r.narrowed ? { narrowed: true as const } : {}) };
}

/**
 * A member narrowed by a discriminator test is checked as it is read: where the test is not
 * true (false, or unknown) it may hold another case's value, which must make the comparison an
 * error, never a comparison of the wrong kind of value.
 */
function checkedConv(t: Type): Conv {
  const conv = convOf(t);
  if (conv !== 'none') return conv;
  switch (t.kind) {
    case 'number': case 'string': case 'boolean': return t.kind;
    case 'array': return 'list';
    default: return 'none';
  }
}

function unknownFact(text: string, s: Scope, loc: Loc, unknown: UnknownCode): void {
  const a = s.action;
  const names = [...a.deriveAst.keys(), 'now', 'today', 'proposal', ...(a.context ? ['context'] : []), ...s.items.map((i) => i.name)];
  for (const [root, c] of [['proposal', a.proposal], ['context', a.context]] as const) {
    if (c?.slot.type.kind === 'object') for (const k of c.slot.type.props.keys()) names.push(`${root}.${k}`);
  }
  const hint = didYouMean(text, names);
  a.diags.error(unknown, `${s.who} reads \`${text}\`, which no contract, derived fact or quantifier defines`, loc,
    hint ? `did you mean \`${hint}\`?` : 'facts start with `proposal.`, `context.`, a derived fact\'s name, `now` or `today`');
}
