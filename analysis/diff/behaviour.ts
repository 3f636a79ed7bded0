/**
 * How two policies decide the same inputs: each input decided by both, each action classified
 * as equivalent, stricter (some input moves toward reject), looser (some moves toward approve)
 * or both, with the smallest input found for each direction, written as a test case to paste.
 *
 * The inputs are a decision log's requests, decided as they were (their `now`, the contract
 * version they were sent as), or inputs concentrated at both versions' boundaries: the policy
 * tests' cases (curated inputs, most of them reaching the rules past the reject rules), each
 * moved onto every boundary of both versions and one step either side, so a moved threshold is
 * crossed from both sides; and inputs drawn from both versions' contracts by `arbiter prop`'s
 * generator, each version's leaning on its own rules' literals.
 */
import fc from 'fast-check';
import { decide, DecideError, type CompiledAction, type CompiledPolicy, type Decision, type Outcome } from '../../engine/index.js';
import type { TestCase } from '../policy-tests/cases.js';
import { boundariesOf, place } from '../prop/boundaries.js';
import { requestOf, type Input } from '../prop/input.js';
import { testCaseYaml } from '../prop/report.js';
import { inputArbitrary } from '../prop/run.js';
import { direction, responsible } from '../replay/compare.js';
import type { Recorded } from '../replay/run.js';

export interface DiffInput { action: string; input: Input; now: string; contract?: string; /** a test case, or one moved onto a boundary: preferred as an example, being written by people */ fromCase?: true }

export type Classification = 'equivalent' | 'stricter' | 'looser' | 'both';

export interface DirectionExample {
  /** inputs that moved this way */
  count: number;
  /** how the example was chosen: its JSON length, test cases first */
  size: number;
  input: Input;
  now: string;
  base: Outcome;
  head: Outcome;
  /** contributions the head has and the base lacked, and the other way round */
  responsible: { added: string[]; removed: string[] };
  /** the input as a `cases:` entry of the action's test file, expecting the head's outcome */
  testCase: string;
}

export interface ActionBehaviour {
  action: string;
  classification: Classification;
  compared: number;
  /** inputs one of the versions could not decide (a contract version it does not serve) */
  unevaluable: number;
  stricter?: DirectionExample;
  looser?: DirectionExample;
}

export interface Generated { runs: number; seed: number; now: string; cases: readonly TestCase[] }

/** Inputs for every action both policies define: the cases placed on each version's boundaries, and `runs` from each version's generator. */
export function* generatedInputs(base: CompiledPolicy, head: CompiledPolicy, o: Generated): Generator<DiffInput> {
  for (const [name, b] of base.actions) {
    const h = head.actions.get(name);
    if (!h) continue;
    const seen = new Set<string>();
    for (const c of o.cases) {
      if (c.action !== name || c.contract !== undefined) continue;
      const seed: Input = { proposal: c.proposal, context: c.context };
      const key = JSON.stringify([seed, c.now]);
      if (seen.has(key)) continue;
      seen.add(key);
      yield { action: name, input: seed, now: c.now, fromCase: true };
      for (const a of [b, h]) {
        for (const bound of boundariesOf(a, [])) {
          for (let pick = 0; pick < bound.reads.length; pick++) {
            for (const offset of [-1, 0, 1]) {
              const moved = place(a, bound, seed, c.now, pick, offset);
              if (moved) yield { action: name, input: moved, now: c.now, fromCase: true };
            }
          }
        }
      }
    }
    for (const [i, a] of [b, h].entries()) {
      for (const input of fc.sample(inputArbitrary(a, [], o.now), { numRuns: o.runs, seed: o.seed + i })) yield { action: name, input, now: o.now };
    }
  }
}

/** A log's decisions as inputs, each as it was decided. */
export async function* loggedInputs(log: AsyncIterable<Recorded>): AsyncGenerator<DiffInput> {
  for await (const r of log) {
    if (r.kind !== undefined) continue;
    yield { action: r.action, input: { proposal: r.request.proposal, context: r.request.context ?? undefined }, now: r.decision.now, contract: r.decision.receivedContract };
  }
}

export async function compareBehaviour(base: CompiledPolicy, head: CompiledPolicy, inputs: Iterable<DiffInput> | AsyncIterable<DiffInput>): Promise<ActionBehaviour[]> {
  const by = new Map<string, ActionBehaviour>();
  for (const name of base.actions.keys()) if (head.actions.has(name)) by.set(name, { action: name, classification: 'equivalent', compared: 0, unevaluable: 0 });
  for await (const x of inputs) {
    const r = by.get(x.action);
    if (!r) continue;
    const a = decideOn(base, base.actions.get(x.action)!, x), b = decideOn(head, head.actions.get(x.action)!, x);
    if (!a || !b) { r.unevaluable++; continue; }
    r.compared++;
    const dir = direction(a.outcome, b.outcome);
    if (!dir) continue;
    const key = dir === 'toward-approve' ? 'looser' : 'stricter';
    const size = JSON.stringify(x.input).length + (x.fromCase ? 0 : 1e9);
    const had = r[key];
    // The smallest input found is the easiest to read, and one made from a test case easier still.
    if (!had || size < had.size) {
      const name = `${x.action}: ${a.outcome} before, ${b.outcome} now`;
      r[key] = {
        count: (had?.count ?? 0) + 1, size, input: x.input, now: x.now, base: a.outcome, head: b.outcome, responsible: responsible(a, b),
        testCase: testCaseYaml({ input: x.input, expect: { outcome: b.outcome } }, name, x.now, undefined),
      };
    } else had.count++;
  }
  for (const r of by.values()) r.classification = r.stricter && r.looser ? 'both' : r.stricter ? 'stricter' : r.looser ? 'looser' : 'equivalent';
  return [...by.values()];
}

function decideOn(policy: CompiledPolicy, action: CompiledAction, x: DiffInput): Decision | undefined {
  try {
    return decide(policy, { ...requestOf(action, x.input, x.now), ...(x.contract ? { contract: x.contract } : {}), explain: 'off' });
  } catch (e) {
    if (e instanceof DecideError) return undefined;
    throw e;
  }
}
