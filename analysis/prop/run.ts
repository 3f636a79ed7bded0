/**
 * `arbiter prop`'s engine: generated inputs for one action, checked against the built-in
 * properties and the action's declared invariants.
 *
 * Built-in properties, on inputs that satisfy the contracts:
 * - totality: the input gets exactly one outcome, nothing throws, no rule fails;
 * - determinism: deciding again, and deciding with the reference interpreter, gives the same decision;
 * - fail-closed: dropping an optional member (or nulling a nullable one) never moves the outcome
 *   toward approve, unless the invariant file exempts that member;
 * - contract violations reject: an input broken in one place (a required member dropped, a wrong
 *   type, a value out of range or outside the enum, an unknown member) is rejected with the
 *   contract errors.
 * Each input is checked for totality and the invariants, every fourth for determinism; the
 * fail-closed and contract checks take one member of the input each, chosen by the generator, so
 * a run covers them all.
 * A case is one input decided and checked: a generated input, or one made from it (a member
 * dropped, the contract broken, a monotonic fact moved).
 */
import fc from 'fast-check';
import type { Outcome } from '../../engine/internal.js';
import type { Cond } from '../../engine/internal.js';
import type { CompiledAction, CompiledPolicy } from '../../engine/internal.js';
import { conditionStatus } from '../../engine/internal.js';
import { SEVERITY } from '../../engine/internal.js';
import { T } from '../../engine/internal.js';
import { decide, type Decision } from '../../engine/index.js';
import { arbitraryFor } from './arbitraries.js';
import { boundariesOf, hintsOf, place } from './boundaries.js';
import { edited, memberStep, requestOf, validInput, type Input, type Root } from './input.js';
import type { Invariant, InvariantFile } from './invariants.js';
import { breachesOf, canBreach, canDrop, droppableMembers, getAt, placesOf, type Breach, type Droppable, type Steps } from './schema.js';

export interface PropOptions { runs: number; seed: number; now: string }

/** A failed check: what was expected, and the input a test case should pin. */
export class CheckFailed extends Error {
  constructor(readonly property: string, message: string, readonly input: Input, readonly expect: { outcome: Outcome; errors?: string[] }, readonly decision?: Decision) {
    super(message);
    this.name = 'CheckFailed';
  }
}

export interface ActionResult {
  action: string;
  /** inputs generated, and inputs discarded as not valid (a generator limit, reported) */
  inputs: number;
  discarded: number;
  /** inputs decided and checked: the generated ones and those made from them */
  cases: number;
  /** checks run, by property */
  checks: Map<string, number>;
  failure?: { error: CheckFailed; shrinks: number; runs: number };
}

interface Case { input: Input; drop: number; breach: number; raise: number }

/**
 * Inputs for an action: values drawn from its contracts (leaning toward the literals its rules
 * and `extra` conditions use), then moved onto up to two of their boundaries.
 */
export function inputArbitrary(action: CompiledAction, extra: readonly Cond[], now: string): fc.Arbitrary<Input> {
  const hints = hintsOf(action, extra, now);
  const bounds = boundariesOf(action, extra);
  const base = fc.record({
    proposal: arbitraryFor(action.contract.schema, hints, '/proposal'),
    context: action.context ? arbitraryFor(action.context.schema, hints, '/context') : fc.constant(undefined),
  });
  const placements = bounds.length
    ? fc.array(fc.tuple(fc.nat(bounds.length - 1), fc.nat(7), fc.constantFrom(-1, 0, 0, 1)), { maxLength: 2 })
    : fc.constant([] as [number, number, number][]);
  return fc.tuple(base, placements).map(([input, ps]) => {
    let x = input as Input;
    for (const [b, pick, offset] of ps) {
      const y = place(action, bounds[b]!, x, now, pick, offset);
      if (y && validInput(action, y, y.proposal === x.proposal ? 'context' : 'proposal')) x = y;
    }
    return x;
  });
}

export function propAction(policy: CompiledPolicy, action: CompiledAction, inv: InvariantFile | undefined, o: PropOptions): ActionResult {
  const invariants = inv?.invariants ?? [];
  const whens = invariants.flatMap((i) => (i.when ? [i.when] : []));
  const arb = fc.record({ input: inputArbitrary(action, whens, o.now), drop: fc.nat(), breach: fc.nat(), raise: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 100_000 })) });

  const names = ['totality', 'determinism', 'fail-closed', 'contract violations reject', ...invariants.map((i) => `invariant ${i.id}`)];
  const result: ActionResult = { action: action.name, inputs: 0, discarded: 0, cases: 0, checks: new Map(names.map((n) => [n, 0])) };
  const count = (p: string) => result.checks.set(p, (result.checks.get(p) ?? 0) + 1);
  const exempt = new Set((inv?.exempt ?? []).map((e) => `${e.root}/${e.steps.join('/')}`));
  const drops = [...roots(action)].flatMap(([root, schema]) => droppableMembers(schema).map((d) => ({ ...d, root })))
    .filter((d) => !exempt.has(`${d.root}/${d.steps.join('/')}`));
  const edits = [...roots(action)].flatMap(([root, schema]) => breachesOf(schema).map((b) => ({ ...b, root })));
  const decideOn: DecideOn = (x, evaluator) => {
    if (!evaluator) result.cases++;
    return decide(policy, { ...requestOf(action, x, o.now), explain: 'off' }, evaluator ? { evaluator } : {});
  };

  const property = fc.property(arb, (c) => {
    const d = totality(c.input, decideOn);
    if (d.reasons[0]?.kind === 'contract') {
      // The generator cannot express every schema (a pattern and a length together, say): skip.
      result.discarded++;
      result.cases--;
      fc.pre(false);
    }
    result.inputs++;
    count('totality');
    if (result.inputs % 4 === 1) {
      determinism(c.input, d, decideOn);
      count('determinism');
    }
    checkInvariants(action, invariants, c, d, o.now, decideOn, count);
    if (failClosed(drops, c, d, decideOn)) count('fail-closed');
    if (contractViolation(action, edits, c, decideOn)) count('contract violations reject');
  });
  const details = fc.check(property, { numRuns: o.runs, seed: o.seed, maxSkipsPerRun: 10 });
  if (details.failed) {
    const error = details.errorInstance instanceof CheckFailed ? details.errorInstance : undefined;
    if (!error) throw details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
    result.failure = { error, shrinks: details.numShrinks, runs: details.numRuns };
  }
  return result;
}

/** Decides an input; without an evaluator it counts as a new case, with one it decides a case again. */
type DecideOn = (x: Input, evaluator?: 'compiled' | 'interpreted') => Decision;

function totality(x: Input, decideOn: DecideOn): Decision {
  let d: Decision;
  try {
    d = decideOn(x);
  } catch (e) {
    throw new CheckFailed('totality', `deciding threw: ${(e as Error).message}`, x, { outcome: 'reject' });
  }
  if (!(d.outcome in SEVERITY)) throw new CheckFailed('totality', `the outcome is \`${String(d.outcome)}\``, x, { outcome: 'reject' }, d);
  if (d.errors.length && d.reasons[0]?.kind !== 'contract') {
    const e = d.errors[0]!;
    throw new CheckFailed('totality', `a valid input makes ${e.rule ? `rule \`${e.rule}\`` : 'evaluation'} fail: ${e.code}: ${e.message}`, x, { outcome: d.outcome, errors: [] }, d);
  }
  const signal = d.risk.signals.find((s) => s.result === 'error');
  if (signal) throw new CheckFailed('totality', `a valid input makes risk signal \`${signal.id}\` fail (its points count, failing closed)`, x, { outcome: d.outcome }, d);
  return d;
}

function determinism(x: Input, d: Decision, decideOn: DecideOn): void {
  if (!same(decideOn(x, 'compiled'), d)) throw new CheckFailed('determinism', 'deciding the same input twice gave two decisions', x, { outcome: d.outcome }, d);
  if (!same(decideOn(x, 'interpreted'), d)) throw new CheckFailed('determinism', 'the generated code and the reference interpreter disagree', x, { outcome: d.outcome }, d);
}

/** Deep equality of two JSON-shaped values. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

const worse = (a: Outcome, b: Outcome) => SEVERITY[a] < SEVERITY[b];

type Rooted<T> = T & { root: Root };

function roots(action: CompiledAction): Map<Root, unknown> {
  return new Map<Root, unknown>([['proposal', action.contract.schema], ...(action.context ? [['context', action.context.schema] as const] : [])]);
}

/** The first item from `start` on (wrapping) that `ok` accepts. */
function pickFrom<T>(items: readonly T[], start: number, ok: (x: T) => boolean): T | undefined {
  for (let i = 0; i < items.length; i++) {
    const x = items[(start + i) % items.length]!;
    if (ok(x)) return x;
  }
  return undefined;
}

function failClosed(drops: readonly Rooted<Droppable>[], c: Case, d: Decision, decideOn: DecideOn): boolean {
  const pick = pickFrom(drops, c.drop, (x) => canDrop(x, c.input[x.root]));
  if (!pick) return false;
  const y = edited(c.input, pick.root, pick.steps, pick.as === 'null' ? null : undefined)!;
  const after = decideOn(y);
  const fact = `${pick.root}.${pick.steps.join('.')}`;
  if (worse(after.outcome, d.outcome)) {
    throw new CheckFailed('fail-closed', `${pick.as === 'null' ? `setting \`${fact}\` to null` : `dropping \`${fact}\``} moved the outcome from ${d.outcome} to ${after.outcome}`, y, { outcome: d.outcome }, after);
  }
  return true;
}

function contractViolation(action: CompiledAction, edits: readonly Rooted<Breach>[], c: Case, decideOn: DecideOn): boolean {
  const b = pickFrom(edits, c.breach, (x) => canBreach(x, c.input[x.root]));
  const y = b && edited(c.input, b.root, b.steps, b.to());
  if (!b || !y) return false;
  const d = decideOn(y);
  if (d.outcome !== 'reject' || d.reasons[0]?.kind !== 'contract') {
    // Not every edit breaks every contract (a type that also allows strings, say).
    if (validInput(action, y, b.root)) return false;
    throw new CheckFailed('contract violations reject', `${b.what} at \`${b.root}.${b.steps.join('.')}\` was decided ${d.outcome}, not rejected for its contract`, y, { outcome: 'reject' }, d);
  }
  return true;
}

function checkInvariants(action: CompiledAction, invariants: readonly Invariant[], c: Case, d: Decision, now: string,
  decideOn: DecideOn, count: (p: string) => void): void {
  if (!invariants.length) return;
  const whens = invariants.flatMap((i) => (i.when ? [i.when] : []));
  const statuses = whens.length ? conditionStatus(action, whens, requestOf(action, c.input, now)) : [];
  let k = 0;
  for (const inv of invariants) {
    const applies = inv.when ? statuses[k++] === T : true;
    if (!applies) continue;
    const name = `invariant ${inv.id}`;
    if (inv.kind === 'always' && !inv.outcomes.includes(d.outcome)) {
      throw new CheckFailed(name, `${describeWhen(inv)}the outcome must be ${inv.outcomes.join(' or ')}; it was ${d.outcome}`, c.input, { outcome: inv.outcomes[0]! }, d);
    }
    if (inv.kind === 'never' && inv.outcomes.includes(d.outcome)) {
      const allowed = (['approve', 'review', 'reject'] as const).filter((x) => !inv.outcomes.includes(x) && SEVERITY[x] > SEVERITY[d.outcome]);
      throw new CheckFailed(name, `${describeWhen(inv)}the outcome must never be ${inv.outcomes.join(' or ')}; it was ${d.outcome}`, c.input, { outcome: allowed[0] ?? 'reject' }, d);
    }
    if (inv.kind === 'monotonic') {
      const moved = raise(action, inv, c);
      if (!moved || !validInput(action, moved)) continue;
      if (inv.when && conditionStatus(action, [inv.when], requestOf(action, moved, now))[0] !== T) continue;
      const after = decideOn(moved);
      const from = getAt(c.input[inv.fact.root], inv.fact.steps as Steps), to = getAt(moved[inv.fact.root], inv.fact.steps as Steps);
      if (worse(after.outcome, d.outcome)) {
        throw new CheckFailed(name, `moving \`${inv.fact.text}\` from ${JSON.stringify(from)} to ${JSON.stringify(to)} moved the outcome from ${d.outcome} to ${after.outcome}`, moved, { outcome: d.outcome }, after);
      }
    }
    count(name);
  }
}

const describeWhen = (inv: Invariant) => (inv.when ? 'where its `when` holds, ' : '');

/** The input with the invariant's fact moved `c.raise` steps in the stricter direction. */
function raise(action: CompiledAction, inv: Extract<Invariant, { kind: 'monotonic' }>, c: Case): Input | undefined {
  const { root, steps: s, kind, decimalString } = inv.fact;
  const steps = s as Steps;
  const v = getAt(c.input[root], steps);
  if (v === undefined || v === null) return undefined;
  const sign = inv.stricterAs === 'increases' ? 1 : -1;
  let next: unknown;
  if (kind === 'instant' && typeof v === 'string') next = new Date(Date.parse(v) + sign * c.raise * 1000).toISOString().replace('.000Z', 'Z');
  else if (kind === 'date' && typeof v === 'string') next = new Date(Date.parse(`${v}T00:00:00Z`) + sign * c.raise * 86_400_000).toISOString().slice(0, 10);
  else {
    const step = memberStep(action, root, steps);
    const places = placesOf(step);
    const n = Number((Number(v) + sign * c.raise * step).toFixed(places));
    next = decimalString ? n.toFixed(places) : n;
  }
  return edited(c.input, root, steps, next);
}
