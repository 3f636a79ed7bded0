/**
 * Resolving fact names against the contracts: `proposal.amount`, `context.order.total`, a derived
 * fact, `now`, `today`, a quantifier's element (`item.price`), or a json-rules-engine fact with a
 * JSONPath (`fact: customer`, `path: $.tier`), whose bare name is looked up in the proposal and
 * then the context.
 */
import type { FactRefAst, Loc } from '../ast/types.js';
import { didYouMean } from '../errors.js';
import { resolvePath, type PathStep } from '../contracts/shape.js';
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
  return conv === 'none' ? t.kind === 'number' || t.kind === 'string' || t.kind === 'boolean' : conv === 'date';
}

/** `unknown` is the code for a name that defines no fact: `unknown_placeholder` in a reason. */
export function resolveFact(ref: FactRefAst, s: Scope, unknown: UnknownCode = 'unknown_fact'): Val | undefined {
  const a = s.action;
  let extra: PathStep[] = [];
  if (ref.path !== undefined) {
    const parsed = parseJsonPath(ref.path);
    if (!parsed) {
      a.diags.error('unsupported_path', `${s.who} uses path \`${ref.path}\`, which is not a plain member path`, ref.loc,
        'write member and index steps only, such as `$.customer.tier` or `$.items[0].price`');
      return undefined;
    }
    extra = parsed;
  }
  const [head = '', ...rest] = ref.name.split('.');
  const steps: PathStep[] = [...rest, ...extra];
  const text = ref.name + stepsText(extra);

  for (let depth = s.items.length - 1; depth >= 0; depth--) {
    const item = s.items[depth]!;
    if (item.name === head) return read('item', depth, item.slot, steps, text, `the elements of \`${item.name}\``, ref.loc, s, unknown);
  }
  if (head === 'proposal') return read('proposal', 0, a.proposal.slot, steps, text, `contract \`${a.proposal.name}\``, ref.loc, s, unknown);
  if (head === 'context') {
    if (!a.context) {
      a.diags.error(unknown, `${s.who} reads \`${text}\`, but action \`${a.action}\` has no context contract`, ref.loc,
        'add `context: <id>@<version>` to the action in rules.registry.yaml');
      return undefined;
    }
    return read('context', 0, a.context.slot, steps, text, `contract \`${a.context.name}\``, ref.loc, s, unknown);
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
  // A bare json-rules-engine fact: a top-level member of the proposal or of the context.
  const inProposal = memberOf(a.proposal.slot, head);
  const inContext = a.context ? memberOf(a.context.slot, head) : false;
  if (inProposal && inContext) {
    a.diags.error('ambiguous_fact', `${s.who} reads \`${head}\`, which both the proposal and the context define`, ref.loc,
      `write \`proposal.${head}\` or \`context.${head}\``);
    return undefined;
  }
  if (inProposal) return read('proposal', 0, a.proposal.slot, [head, ...steps], text, `contract \`${a.proposal.name}\``, ref.loc, s, unknown);
  if (inContext) return read('context', 0, a.context!.slot, [head, ...steps], text, `contract \`${a.context!.name}\``, ref.loc, s, unknown);
  unknownFact(text, s, ref.loc, unknown);
  return undefined;
}

function memberOf(slot: Slot, name: string): boolean {
  return slot.type.kind === 'object' && slot.type.props.has(name);
}

type UnknownCode = 'unknown_fact' | 'unknown_placeholder';

function read(root: 'proposal' | 'context' | 'item', depth: number, start: Slot, steps: PathStep[], text: string, owner: string, loc: Loc, s: Scope,
  unknown: UnknownCode): Val | undefined {
  const r = resolvePath(start, steps);
  if (!r.ok) {
    const prefix = root === 'item' ? s.items[depth]!.name : root;
    const at = prefix + stepsText(steps.slice(0, r.at));
    const bad = steps[r.at];
    if (r.reason === 'no_member') {
      const hint = didYouMean(String(bad), r.candidates);
      s.action.diags.error(unknown, `${s.who} reads \`${text}\`, which ${owner} does not define`, loc,
        hint ? `did you mean \`${at}.${hint}\`?` : r.candidates.length ? `\`${at}\` has ${r.candidates.map((c) => `\`${c}\``).join(', ')}` : undefined);
    } else {
      s.action.diags.error(unknown, `${s.who} reads \`${text}\`, but \`${at}\` is not ${r.reason === 'not_array' ? 'a list' : 'an object'} in ${owner}`, loc);
    }
    return undefined;
  }
  const conv = convOf(r.slot.type);
  return { k: 'read', root, depth, steps, conv, slot: r.slot, plain: isPlain(r.slot.type, conv), text };
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
