/**
 * The walk that the guard checks share (`unguarded_optional`, guards.ts; `unguarded_divide`,
 * divisors.ts): every value a condition reads, with the facts that conditions beside it make safe
 * there. A member of an `all` makes a fact safe for its siblings when it is false unless the fact
 * is (present, non-zero); a member of an `any`, when it is true unless the fact is. `not`, named
 * conditions and quantifiers pass on the guards they are under.
 */
import type { Loc } from '../ast/types.js';
import type { OperatorDef } from '../operators/operator.js';
import type { Cond, Val } from './ir.js';

export interface GuardCheck {
  /** The fact that `c` (never a named condition: those are looked through) makes safe beside it in an `all` or an `any`. */
  guard(c: Cond, within: 'all' | 'any'): string | undefined;
  /** A value a comparison (`op`) or a quantifier reads, at `loc`, with the facts guarded there. */
  read(v: Val, loc: Loc, guarded: ReadonlySet<string>, op?: OperatorDef): void;
}

export function walkGuarded(c: Cond, check: GuardCheck, loc: Loc, guarded: ReadonlySet<string> = new Set()): void {
  switch (c.k) {
    case 'all':
    case 'any': {
      const more = new Set(guarded);
      for (const x of c.items) {
        const fact = check.guard(unref(x), c.k);
        if (fact) more.add(fact);
      }
      for (const x of c.items) walkGuarded(x, check, loc, more);
      return;
    }
    case 'not':
    case 'ref':
      return walkGuarded(c.item, check, loc, guarded);
    case 'quant':
      check.read(c.over, loc, guarded);
      return walkGuarded(c.where, check, loc, guarded);
    case 'leaf':
      for (const v of c.right ? [c.left, c.right] : [c.left]) check.read(v, c.loc, guarded, c.op);
  }
}

export function unref(c: Cond): Cond {
  return c.k === 'ref' ? unref(c.item) : c;
}
