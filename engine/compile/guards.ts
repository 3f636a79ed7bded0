/**
 * Guards: what the members of an `all` (or `any`) establish for their siblings. A read of an
 * optional or nullable member makes the rule unknown when it is absent, which counts as the more
 * severe of the rule's outcome and the action's `on_unknown` (an unknown signal adds its points),
 * so the compiler warns unless the rule says what absence means: `{ fact: X, operator: exists }`
 * beside the read in an enclosing `all` (which is then false, not unknown, when X is absent), or
 * `missing` beside it in an enclosing `any`. A value computed from optional facts is guarded when
 * each of them is. The same reasoning narrows a member typed by a discriminator beside an `equal`
 * or `in` test of it.
 */
import type { Loc, RuleOutcome } from '../ast/types.js';
import type { Scalar } from '../contracts/types.js';
import type { Diagnostics } from '../errors.js';
import { unref, walkGuarded } from './guard-walk.js';
import { optionalSources, type Cond, type Val } from './ir.js';

/**
 * What an unknown result does: a rule counts as an outcome (the more severe of its own and
 * `on_unknown`), a signal adds its points, an invariant's condition leaves the input unchecked.
 */
export type WhenUnknown = { rule: RuleOutcome } | { signal: true } | { invariant: true };

export function checkGuards(who: string, when: Cond, ruleLoc: Loc, unknown: WhenUnknown, diags: Diagnostics): void {
  const seen = new Set<string>();
  const effect = 'rule' in unknown
    ? `the rule is unknown and counts as \`${unknown.rule}\`, the more severe of its outcome and the action's \`on_unknown\``
    : 'signal' in unknown ? 'the signal is unknown and adds its points, as if it fired'
      : 'the condition is unknown and the invariant is not checked on that input';
  const report = (v: Val, loc: Loc) => {
    if (seen.has(v.text)) return;
    seen.add(v.text);
    diags.warn('unguarded_optional', `${who} reads \`${v.text}\`, which may be absent, without a guard`, loc,
      `when it is absent ${effect}; add \`{ fact: ${v.text}, operator: exists }\` to an \`all\` with it, or a default with \`coalesce\``);
  };
  walkGuarded(when, {
    guard: (c, within) => (c.k === 'leaf' && c.op.name === (within === 'all' ? 'exists' : 'missing') ? c.left.text : undefined),
    read: (v, loc, guarded, op) => {
      if (!op?.total && !isGuarded(v, guarded)) report(v, loc);
    },
  }, ruleLoc);
}

/**
 * The values that members of an `all` establish for their siblings, by the key `key` gives a
 * member read: `{ fact: X, operator: equal, value: v }` holds X to `v`, `in` to its list. Members
 * tested twice keep the values both allow. The compiler narrows a discriminated member's type
 * with them, for the same reason as above: the siblings matter only where these are true.
 */
export function valuesBeside(items: readonly Cond[], key: (v: Extract<Val, { k: 'read' }>) => string): Map<string, readonly Scalar[]> {
  const out = new Map<string, readonly Scalar[]>();
  for (const x of items.map(unref)) {
    if (x.k !== 'leaf' || x.left.k !== 'read' || x.right?.k !== 'const' || (x.op.name !== 'equal' && x.op.name !== 'in')) continue;
    const k = key(x.left);
    const values = (x.op.name === 'in' ? x.right.value : [x.right.value]) as Scalar[];
    out.set(k, out.get(k)?.filter((v) => values.includes(v)) ?? values);
  }
  return out;
}

function isGuarded(v: Val, guarded: ReadonlySet<string>): boolean {
  return !v.slot.optional || guarded.has(v.text) || optionalSources(v).every((s) => guarded.has(s));
}
