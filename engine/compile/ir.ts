/**
 * The compiled, typed form of conditions and values. Names are resolved, operators and functions
 * are bound to their definitions, and literals are parsed into runtime values, so evaluation does
 * no lookups by name and no path parsing.
 */
import type { Loc, Mode, RuleOutcome } from '../ast/types.js';
import type { Rational } from '../values/rational.js';
import type { PathStep } from '../contracts/shape.js';
import type { Slot } from '../contracts/types.js';
import type { Conv } from '../eval/runtime.js';
import type { FunctionDef } from '../functions/function.js';
import type { OperatorDef } from '../operators/operator.js';

export type Val =
  /** `named`: a literal written under `derive` and read in place, as the type it is compared with; `text` is its name */
  | { k: 'const'; slot: Slot; value: unknown; plain: boolean; text: string; named?: boolean }
  /**
   * A member of the proposal, the context, or a list element bound by a quantifier (`depth`).
   * `narrowed`: typed by a discriminator test beside it, so it may be absent, or of another type,
   * where that test does not hold; `conv` checks its type.
   */
  | { k: 'read'; root: 'proposal' | 'context' | 'item'; depth: number; steps: readonly PathStep[]; conv: Conv; slot: Slot; plain: boolean; text: string; narrowed?: true }
  /** `sources`: the optional facts whose absence makes it absent (for guard checks) */
  | { k: 'derived'; index: number; slot: Slot; mayFail: boolean; text: string; sources: readonly string[] }
  | { k: 'now'; slot: Slot; text: 'now' }
  | { k: 'today'; slot: Slot; text: 'today' }
  | { k: 'call'; fn: FunctionDef; args: readonly Val[]; kinds: readonly Slot['type']['kind'][]; slot: Slot; text: string }
  | { k: 'agg'; fn: FunctionDef; over: Val; depth: number; of?: readonly PathStep[]; ofConv: Conv; where?: Cond; itemKind: Slot['type']['kind']; slot: Slot; text: string };

export type Cond =
  | { k: 'all' | 'any'; items: readonly Cond[]; id: number; label?: string }
  | { k: 'not'; item: Cond; id: number; label?: string }
  | { k: 'ref'; name: string; item: Cond; id: number }
  | { k: 'leaf'; op: OperatorDef; left: Val; right?: Val; id: number; loc: Loc; label?: string }
  | { k: 'quant'; q: 'some' | 'every' | 'none'; over: Val; depth: number; as: string; where: Cond; id: number; label?: string };

/** A reason template split into text and the facts it shows: `refund {proposal.amount} is …`. */
export type Template = readonly (string | Val)[];

export interface Rule {
  id: string;
  index: number;
  outcome: RuleOutcome;
  mode: Mode;
  when: Cond;
  reason: Template;
  loc: Loc;
  file: string;
  description?: string;
}

/**
 * An exception (ast/exceptions.ts): where `when` holds and `now` is before `expires`, the rules at
 * `relaxes` (indexes into the action's rules) count as not fired. Its index follows the signals'.
 */
export interface Exception {
  id: string;
  index: number;
  relaxes: readonly number[];
  when: Cond;
  expires: Rational;
  /** `expires` as written */
  expiresText: string;
  owner: string;
  grantedBy: string;
  ticket: string;
  reason: string;
  loc: Loc;
  file: string;
}

export interface Signal { id: string; index: number; when: Cond; points: number; loc: Loc; description?: string }

export interface Derived { name: string; index: number; expr: Val; loc: Loc }

export interface RiskModel {
  signals: readonly Signal[];
  /** ascending by threshold */
  tiers: readonly { name: string; min: number }[];
  route: ReadonlyMap<string, RuleOutcome>;
}

/**
 * Whether evaluating a value can produce an error: a read that converts text (a decimal, an
 * instant, a date), and anything computed. Only constants, the clock and raw JSON reads cannot.
 */
export function mayFail(v: Val): boolean {
  switch (v.k) {
    case 'const': case 'now': case 'today': return false;
    case 'read': return v.conv !== 'none';
    case 'derived': return v.mayFail;
    // A function runs guarded, and any of them can fail: a zero divisor, a date moved by part of a day.
    case 'call': case 'agg': return true;
  }
}

/** Whether a condition can be unknown or an error; total conditions compile to plain booleans. */
export function partial(c: Cond): boolean {
  switch (c.k) {
    case 'all':
    case 'any':
      return c.items.some(partial);
    case 'not':
    case 'ref':
      return partial(c.item);
    // What the generated code hands to the interpreter comes back three-valued: it must take the status path.
    case 'quant':
      return true;
    case 'leaf': {
      if (interpreted(c)) return true;
      const operands = c.right ? [c.left, c.right] : [c.left];
      if (operands.some(mayFail)) return true;
      return !c.op.total && operands.some((v) => v.slot.optional);
    }
  }
}

/** Conditions the generated code leaves to the interpreter: quantifiers, and comparisons of values of no known type. */
export function interpreted(c: Cond): boolean {
  if (c.k === 'quant') return true;
  return c.k === 'leaf' && (c.left.slot.type.kind === 'any' || (c.right !== undefined && c.right.k !== 'const' && c.right.slot.type.kind === 'any'));
}

/**
 * The facts whose absence can make a value absent: an optional read itself, the inputs of a
 * derived fact or call, or the value's own name when it can be absent on present inputs (a lookup
 * miss, the minimum of an empty list). A conversion that does not parse is unknown by design and
 * has no source of its own.
 */
export function optionalSources(v: Val): string[] {
  if (!v.slot.optional) return [];
  switch (v.k) {
    case 'read': return [v.text];
    case 'derived': return [...v.sources];
    case 'call': {
      const inputs = v.args.flatMap(optionalSources);
      return inputs.length || v.fn.parses ? inputs : [v.text];
    }
    case 'agg': return v.over.slot.optional ? optionalSources(v.over) : [v.text];
    default: return [v.text];
  }
}
