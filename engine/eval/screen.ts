/**
 * Screens: a test, made once per chunk of generated code, that proves every rule of the chunk
 * false for a request without running it, so a decision's cost follows the rules that can fire
 * rather than all of them. Large packs are mostly rules keyed to one value (an order, a merchant,
 * a country) or thresholds few requests pass; without screens every decision ran every rule, and
 * the cost per rule grew with their number (docs/performance.md, `npm run bench:scale`).
 *
 * A rule is screened by its leading comparison: its condition, or the first member of its `all`
 * (through named conditions and nested `all`s) that is a fact read as it is (no conversion, no
 * discriminator narrowing) or a derived fact, compared with a literal by `equal` or `in`
 * (strings or booleans) or by an order operator (a number). Kleene `all` is false as soon as one
 * member is false, whatever the others would be (the interpreter and the generated code both
 * stop there), so a false leading comparison makes the rule false, never unknown or an error. The screen skips its chunk only when the value read is present, of the
 * literal's type, and fails the comparison for every rule in the chunk; any other value (missing,
 * of another type, an error) runs the chunk as it would run unscreened. Compile groups the
 * screened rules by fact and comparison, ordered by literal, so each chunk holds one set of keys
 * or one range of thresholds (codegen.ts).
 */
import type { PathStep } from '../contracts/shape.js';
import type { Cond } from '../compile/ir.js';
import { Rational } from '../values/rational.js';
import { cmp, own } from './runtime.js';
import type { Env } from './interpret.js';

/** Where the screened value is read: a member of the proposal or context, or a derived fact. */
export type ScreenSource = { root: 'proposal' | 'context'; steps: readonly PathStep[] } | { root: 'derived'; index: number };
export type ScreenTest = 'in' | 'greaterThan' | 'greaterThanInclusive' | 'lessThan' | 'lessThanInclusive';

/** The leading comparison of one rule. `key` is the same for rules that can share a chunk. */
export interface Leading { key: string; source: ScreenSource; test: ScreenTest; values: readonly (string | boolean | number)[] }

/** A chunk's screen as data (it crosses threads with the generated code): the keys it may match, or the range of its thresholds. */
export interface Screen { source: ScreenSource; test: ScreenTest; values: readonly (string | boolean | number)[] }

const ORDER = new Set<string>(['greaterThan', 'greaterThanInclusive', 'lessThan', 'lessThanInclusive']);

export function leadingOf(when: Cond): Leading | undefined {
  switch (when.k) {
    case 'ref': return leadingOf(when.item);
    case 'all': {
      for (const item of when.items) {
        const lead = leadingOf(item);
        if (lead) return lead;
      }
      return undefined;
    }
    case 'leaf': return comparisonOf(when);
    default: return undefined;
  }
}

function comparisonOf(c: Extract<Cond, { k: 'leaf' }>): Leading | undefined {
  if (c.right?.k !== 'const') return undefined;
  const { left, right, op } = c;
  let source: ScreenSource;
  if (left.k === 'read' && left.root !== 'item' && left.conv === 'none' && !left.narrowed && left.slot.type.kind !== 'any') source = { root: left.root, steps: left.steps };
  else if (left.k === 'derived') source = { root: 'derived', index: left.index };
  else return undefined;
  const where = source.root === 'derived' ? `d${source.index}` : `${source.root}:${JSON.stringify(source.steps)}`;
  const keyed = (v: unknown) => typeof v === 'string' || typeof v === 'boolean';
  if (op.name === 'equal' && keyed(right.value)) return { key: `${where} in ${typeof right.value}`, source, test: 'in', values: [right.value as string | boolean] };
  if (op.name === 'in' && Array.isArray(right.value) && right.value.length > 0) {
    const kind = typeof right.value[0];
    if (right.value.every((v) => keyed(v) && typeof v === kind)) return { key: `${where} in ${kind}`, source, test: 'in', values: right.value as (string | boolean)[] };
  }
  if (ORDER.has(op.name) && typeof right.value === 'number' && Number.isFinite(right.value)) return { key: `${where} ${op.name}`, source, test: op.name as ScreenTest, values: [right.value] };
  return undefined;
}

/** The screen of a chunk whose rules all lead with comparisons of one key. */
export function screenOf(leads: readonly Leading[]): Screen {
  const { source, test } = leads[0]!;
  const values = leads.flatMap((l) => l.values);
  if (test === 'in') return { source, test, values: [...new Set(values)] };
  const numbers = values as number[];
  return { source, test, values: [Math.min(...numbers), Math.max(...numbers)] };
}

/** Whether the chunk may run: false only when every rule's leading comparison is certainly false. */
export type Gate = (env: Env) => boolean;

export function gateOf(screen: Screen): Gate {
  const { source, test } = screen;
  const read = source.root === 'derived'
    ? (env: Env) => env.d[source.index]
    : (env: Env) => own(source.root === 'proposal' ? env.p : env.c, source.steps);
  if (test === 'in') {
    const keys = new Set(screen.values);
    const kind = typeof screen.values[0];
    return (env) => {
      const v = read(env);
      return typeof v !== kind || keys.has(v as string | boolean);
    };
  }
  const [lo, hi] = screen.values as [number, number];
  // A value that is not a finite number or an exact number runs the chunk: only those compare exactly.
  const comparable = (v: unknown): v is number | Rational => (typeof v === 'number' && Number.isFinite(v)) || v instanceof Rational;
  switch (test) {
    case 'greaterThan': return (env) => { const v = read(env); return !comparable(v) || cmp(v, lo) > 0; };
    case 'greaterThanInclusive': return (env) => { const v = read(env); return !comparable(v) || cmp(v, lo) >= 0; };
    case 'lessThan': return (env) => { const v = read(env); return !comparable(v) || cmp(v, hi) < 0; };
    case 'lessThanInclusive': return (env) => { const v = read(env); return !comparable(v) || cmp(v, hi) <= 0; };
  }
}
