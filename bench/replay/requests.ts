/**
 * Example requests for every action of a policy: proposals and contexts drawn from the contracts
 * by `arbiter prop`'s generator, leaning on the rules' boundaries, then taken in turn from each
 * outcome the policy gives them: drawn at random, most inputs break some reject rule, and a log
 * of them should have decisions of every outcome near every threshold. Each proposal gets its
 * own idempotency key.
 */
import fc from 'fast-check';
import { decide, type CompiledAction, type CompiledPolicy, type Outcome } from '../../engine/index.js';
import { inputArbitrary } from '../../analysis/prop/run.js';
import { requestOf, validInput, type Input } from '../../analysis/prop/input.js';
import { withAt } from '../../analysis/prop/schema.js';
import { pointerSteps } from '../../engine/internal.js';

export interface ExampleRequest { action: string; proposal: unknown; context?: Record<string, unknown> }

/** `count` requests, spread evenly over the actions, the same for the same seed. */
export function exampleRequests(policy: CompiledPolicy, count: number, seed: number, now: string): ExampleRequest[] {
  const actions = [...policy.actions.values()];
  const out: ExampleRequest[] = [];
  actions.forEach((action, a) => {
    const share = Math.floor(count / actions.length) + (a < count % actions.length ? 1 : 0);
    const drawn = fc.sample(inputArbitrary(action, [], now), { numRuns: share * 10, seed: seed + a }).filter((x) => validInput(action, x));
    const by: Record<Outcome, Input[]> = { approve: [], review: [], reject: [] };
    for (const x of drawn) by[decide(policy, { ...requestOf(action, x, now), explain: 'off' }).outcome].push(x);
    const inputs: Input[] = [];
    for (let i = 0; inputs.length < Math.min(share, drawn.length); i++) for (const o of ['approve', 'review', 'reject'] as const) if (by[o][i] && inputs.length < share) inputs.push(by[o][i]!);
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i]!;
      out.push({ action: action.name, proposal: keyed(action, x.proposal, seed, a, i), ...(action.context ? { context: x.context as Record<string, unknown> } : {}) });
    }
  });
  return out;
}

/** The proposal with a key of its own at the action's idempotency pointer, so no two collide. */
function keyed(action: CompiledAction, proposal: unknown, seed: number, a: number, i: number): unknown {
  const pointer = action.idempotency.key;
  if (!pointer) return proposal;
  const hex = (v: number, w: number) => (v >>> 0).toString(16).padStart(w, '0').slice(-w);
  const uuid = `${hex(seed, 8)}-${hex(a, 4)}-4000-8000-${hex(i, 12)}`;
  return withAt(proposal, pointerSteps(pointer), uuid) ?? proposal;
}
