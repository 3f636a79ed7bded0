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
  walk(when, new Set(), ruleLoc, report);
}

function walk(c: Cond, guarded: ReadonlySet<string>, loc: Loc, report: (v: Val, loc: Loc) => void): void {
  switch (c.k) {
    case 'all':
    case 'any': {
      const guard = c.k === 'all' ? 'exists' : 'missing';
      const more = new Set(guarded);
      for (const x of c.items) {
        const leaf = unref(x);
        if (leaf.k === 'leaf' && leaf.op.name === guard) more.add(leaf.left.text);
      }
      for (const x of c.items) walk(x, more, loc, report);
      return;
    }
    case 'not':
    case 'ref':
      return walk(c.item, guarded, loc, report);
    case 'quant':
      if (!isGuarded(c.over, guarded)) report(c.over, loc);
      return walk(c.where, guarded, loc, report);
    case 'leaf':
      if (c.op.total) return;
      for (const v of c.right ? [c.left, c.right] : [c.left]) {
        if (!isGuarded(v, guarded)) report(v, c.loc);
      }
  }
}

function unref(c: Cond): Cond {
  return c.k === 'ref' ? unref(c.item) : c;
}

function isGuarded(v: Val, guarded: ReadonlySet<string>): boolean {
  return !v.slot.optional || guarded.has(v.text) || optionalSources(v).every((s) => guarded.has(s));
}
