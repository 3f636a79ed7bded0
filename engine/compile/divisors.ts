/**
 * Warns when a rule divides by a value that may be zero without a guard. A zero divisor makes the
 * rule an error on every such proposal; the policy should say what a zero means instead. A divisor
 * `X` is guarded by a leaf beside it in an enclosing `all` that is false when X is zero:
 * `{ fact: X, operator: greaterThan, value: 0 }` (or any bound at or above zero), `lessThan` a
 * bound at or below zero, or `notEqual 0`. Divisions inside derived facts count where they are used.
 */
import type { Loc, RuleOutcome } from '../ast/types.js';
import type { Bound, Type } from '../contracts/types.js';
import { Rational } from '../values/rational.js';
import { walkGuarded } from './guard-walk.js';
import type { Cond, Val } from './ir.js';
import type { ActionScope } from './scope.js';

export function checkDivisors(who: string, when: Cond, ruleLoc: Loc, onError: RuleOutcome | undefined, a: ActionScope): void {
  const seen = new Set<string>();
  const report = (divisor: Val, loc: Loc) => {
    if (seen.has(divisor.text)) return;
    seen.add(divisor.text);
    const owner = divisor.k === 'read' && divisor.root !== 'item' ? `contract \`${(divisor.root === 'proposal' ? a.proposal : a.context!).name}\` allows to be zero` : 'may be zero';
    const effect = onError ? `counts as \`${onError}\`, the more severe of its outcome and the action's \`on_error\`` : 'adds its points';
    a.diags.warn('unguarded_divide', `${who} divides by \`${divisor.text}\`, which ${owner}, without a guard`, loc,
      `a zero divisor makes the ${onError ? 'rule' : 'signal'} an error, which ${effect}; add \`{ fact: ${divisor.text}, operator: greaterThan, value: 0 }\` to an \`all\` with it`);
  };
  walkGuarded(when, {
    guard: (c, within) => (within === 'all' ? nonZeroGuard(c) : undefined),
    read: (v, loc, guarded) => divisors(v, a, guarded, (d) => report(d, loc)),
  }, ruleLoc);
}

/** Calls `found` with every divisor in `v` that may be zero and is not guarded; derived facts are followed to their definitions. */
function divisors(v: Val, a: ActionScope, guarded: ReadonlySet<string>, found: (d: Val) => void): void {
  switch (v.k) {
    case 'call': {
      const d = v.args[1];
      if (v.fn.name === 'divide' && d && mayBeZero(d) && !guarded.has(d.text)) found(d);
      for (const x of v.args) divisors(x, a, guarded, found);
      return;
    }
    case 'agg':
      return divisors(v.over, a, guarded, found);
    case 'derived': {
      // Derived facts cannot refer to each other in a cycle (derive_cycle), so this ends.
      const def = a.derived.get(v.text);
      if (def) divisors(def.expr, a, guarded, found);
      return;
    }
    default:
  }
}

/** The fact a leaf proves non-zero when it is true, if it does. */
function nonZeroGuard(c: Cond): string | undefined {
  if (c.k !== 'leaf' || c.right?.k !== 'const') return undefined;
  const bound = numberOf(c.right.value);
  if (bound === undefined) return undefined;
  const sign = bound.cmp(Rational.ZERO);
  const proves = { greaterThan: sign >= 0, greaterThanInclusive: sign > 0, lessThan: sign <= 0, lessThanInclusive: sign < 0, notEqual: sign === 0 }[c.op.name];
  return proves ? c.left.text : undefined;
}

function numberOf(x: unknown): Rational | undefined {
  return x instanceof Rational ? x : typeof x === 'number' && Number.isFinite(x) ? Rational.fromNumber(x) : undefined;
}

/** Whether a divisor can be zero: a zero literal, or a number or duration whose type does not exclude zero. */
function mayBeZero(v: Val): boolean {
  if (v.k === 'const') return numberOf(v.value)?.isZero() ?? false;
  return typeAllowsZero(v.slot.type);
}

function typeAllowsZero(t: Type): boolean {
  if (t.kind === 'duration' || t.kind === 'any') return true;
  if (t.kind !== 'number') return false;
  if (t.enum) return t.enum.includes(0);
  return !(excludes(t.min, 1) || excludes(t.max, -1));
}

/** A lower bound (`side` 1) above zero, or an upper bound (`side` -1) below it, or either at zero and exclusive. */
function excludes(b: Bound | undefined, side: 1 | -1): boolean {
  if (!b) return false;
  const v = b.value * side;
  return v > 0 || (v === 0 && b.exclusive);
}
