/**
 * Warns when a rule reads an optional or nullable member without stating what happens when it is
 * absent. Such a read makes the rule unknown, which counts as the more severe of the rule's
 * outcome and the action's `on_unknown`; an unknown signal adds its points. A read of
 * `X` is guarded by `{ fact: X, operator: exists }` beside it in an enclosing `all` (which is then
 * false, not unknown, when X is absent), or by `missing` beside it in an enclosing `any`. A value
 * computed from optional facts is guarded when each of them is.
 */
import type { Loc, RuleOutcome } from '../ast/types.js';
import type { Diagnostics } from '../errors.js';
import { walkGuarded } from './guard-walk.js';
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

function isGuarded(v: Val, guarded: ReadonlySet<string>): boolean {
  return !v.slot.optional || guarded.has(v.text) || optionalSources(v).every((s) => guarded.has(s));
}
