/**
 * Properties of decide():
 * - totality and determinism on the bundled pack, over proposals and contexts generated from the
 *   contracts: every valid input gets exactly one outcome, nothing throws, the same input gives
 *   the same decision, and the generated code agrees with the interpreter;
 * - every older contract version the pack serves: a valid proposal of it upgrades into a valid
 *   proposal of the current version, and is decided as that proposal would be;
 * - fail-closed over generated rule sets: removing an optional fact never moves a decision toward
 *   approve (a missing fact makes conditions unknown, and unknown never approves), and neither does
 *   making a rule fail (an error counts as at least the rule's own outcome).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dump, load } from 'js-yaml';
import { arbitraryFor } from '../cli/prop/arbitraries.js';
import { compileDir } from '../cli/io.js';
import { decide, type CompiledPolicy } from '../engine/index.js';
import { SEVERITY } from '../engine/decide/types.js';
import { compileMini } from './helpers/policy.js';
import { ROOT } from './helpers/cli.js';

const NOW = '2026-11-21T10:00:00Z';

describe('on the bundled pack', () => {
  const { result } = compileDir(ROOT);
  if (!result.ok) throw new Error('the bundled pack does not compile');
  const policy = result.policy;

  for (const action of policy.actions.values()) {
    it(`${action.name}: every valid input gets one outcome, deterministically, from both evaluators`, () => {
      const input = fc.record({ proposal: arbitraryFor(action.contract.schema), context: arbitraryFor(action.context!.schema) });
      fc.assert(fc.property(input, ({ proposal, context }) => {
        expect(action.contract.validate(proposal, '/proposal')).toEqual([]);
        expect(action.context!.validate(context, '/context')).toEqual([]);
        const request = { action: action.name, proposal, context, now: NOW, explain: 'full' as const };
        const first = decide(policy, request);
        expect(['approve', 'review', 'reject']).toContain(first.outcome);
        expect(first.errors.filter((e) => e.code.startsWith('contract.'))).toEqual([]);
        expect(decide(policy, request)).toEqual(first);
        expect(decide(policy, request, { evaluator: 'interpreted' })).toEqual(first);
      }), { numRuns: 300, seed: 7 });
    });
  }
});

describe('older contract versions of the bundled pack', () => {
  const { result } = compileDir(ROOT);
  if (!result.ok) throw new Error('the bundled pack does not compile');
  const policy = result.policy;
  const refund = policy.actions.get('refund_order')!;
  const v1 = refund.versions.get('refund_order@1')!;

  it('refund_order@1: a valid proposal upgrades into a valid one, decided as refund_order@2 decides it', () => {
    const input = fc.record({ proposal: arbitraryFor(v1.use.schema), context: arbitraryFor(refund.context!.schema) });
    fc.assert(fc.property(input, ({ proposal, context }) => {
      expect(v1.use.validate(proposal, '/proposal')).toEqual([]);
      const old = decide(policy, { action: 'refund_order', proposal, context, now: NOW, contract: 'refund_order@1', explain: 'off' });
      expect(old.errors.filter((e) => e.code.startsWith('contract.'))).toEqual([]);
      const current = decide(policy, { action: 'refund_order', proposal: { ...(proposal as object), refund_method: 'original_payment' }, context, now: NOW, explain: 'off' });
      expect({ ...old, receivedContract: current.receivedContract }).toEqual(current);
    }), { numRuns: 300, seed: 7 });
  });
});

describe('fail-closed', () => {
  const CONTRACT = {
    type: 'object', additionalProperties: false, required: ['id'],
    properties: {
      id: { type: 'string', maxLength: 8 },
      a: { type: 'number', minimum: -10, maximum: 10 },
      b: { type: 'string', enum: ['x', 'y', 'z'] },
      c: { type: 'boolean' },
      n: { type: ['integer', 'null'], minimum: 0, maximum: 5 },
      d: { type: 'object', additionalProperties: false, required: ['q'], properties: { q: { type: 'number', minimum: 0, maximum: 10 }, r: { type: 'string', enum: ['x', 'y'] } } },
      list: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 3 }, maxItems: 3 },
    },
  };
  const leaves = [
    fc.tuple(fc.constantFrom('proposal.a', 'proposal.d.q', 'a_plus_q', 'proposal.n'), fc.constantFrom('lessThan', 'greaterThanInclusive', 'equal', 'notEqual'), fc.integer({ min: -3, max: 6 }))
      .map(([fact, operator, value]) => ({ fact, operator, value })),
    fc.tuple(fc.constantFrom('proposal.b', 'proposal.d.r'), fc.constantFrom('equal', 'notEqual', 'in', 'notIn'), fc.constantFrom('x', 'y'))
      .map(([fact, operator, v]) => ({ fact, operator, value: operator.endsWith('In') || operator === 'in' ? [v] : v })),
    fc.constantFrom(true, false).map((value) => ({ fact: 'proposal.c', operator: 'equal', value })),
    fc.integer({ min: 0, max: 3 }).map((value) => ({ fact: 'proposal.list', operator: 'contains', value })),
    fc.integer({ min: 0, max: 3 }).map((value) => ({ some: 'proposal.list', where: { fact: 'item', operator: 'greaterThan', value } })),
  ];
  const { cond } = fc.letrec<{ cond: object }>((tie) => ({
    cond: fc.oneof({ depthSize: 'small' }, fc.oneof(...leaves), fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
      fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })), tie('cond').map((not) => ({ not }))),
  }));
  const policyArb = fc.record({
    rules: fc.array(fc.tuple(cond, fc.constantFrom('reject', 'review')), { minLength: 1, maxLength: 5 }),
    signals: fc.array(fc.tuple(cond, fc.integer({ min: 10, max: 40 })), { maxLength: 3 }),
    onUnknown: fc.constantFrom('review', 'reject'),
  }).map(({ rules, signals, onUnknown }) => ({
    onUnknown,
    rules: dump({
      derive: { a_plus_q: { add: ['proposal.a', 'proposal.d.q'] } },
      rules: rules.map(([when, outcome], i) => ({ id: `r${i}`, outcome, when })),
      risk: { signals: signals.map(([when, points], i) => ({ id: `s${i}`, when, points })), tiers: { high: 50 }, route: { high: 'review' } },
    }),
  }));

  /** JSON Pointers of the optional members present in a proposal. */
  function optionalPaths(p: Record<string, unknown>): string[][] {
    const out: string[][] = [];
    for (const k of ['a', 'b', 'c', 'n', 'd', 'list']) if (k in p) out.push([k]);
    if (typeof p.d === 'object' && p.d !== null && 'r' in p.d) out.push(['d', 'r']);
    return out;
  }

  function without(p: Record<string, unknown>, path: string[]): Record<string, unknown> {
    const copy = structuredClone(p);
    let o: Record<string, unknown> = copy;
    for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
    delete o[path.at(-1)!];
    return copy;
  }

  it('removing an optional fact never moves a decision toward approve', () => {
    let removals = 0;
    fc.assert(fc.property(policyArb, fc.array(arbitraryFor(CONTRACT), { minLength: 20, maxLength: 20 }), (gen, proposals) => {
      const policy: CompiledPolicy = compileMini({ contract: CONTRACT, rules: gen.rules, action: { on_unknown: gen.onUnknown } });
      for (const p of proposals as Record<string, unknown>[]) {
        const before = decide(policy, { action: 't', proposal: p, now: NOW });
        expect(before.errors).toEqual([]);
        for (const path of optionalPaths(p)) {
          const after = decide(policy, { action: 't', proposal: without(p, path), now: NOW });
          removals++;
          expect(SEVERITY[after.outcome], `dropping /${path.join('/')}: ${before.outcome} → ${after.outcome}`).toBeGreaterThanOrEqual(SEVERITY[before.outcome]);
        }
      }
    }), { numRuns: 150, seed: 11 });
    expect(removals).toBeGreaterThan(5000);
  });

  it('making a rule fail never moves a decision toward approve', () => {
    const contract = { ...CONTRACT, required: ['id', 'zero'], properties: { ...CONTRACT.properties, zero: { type: 'integer', const: 0 } } };
    const forced = { error: { fact: 'nothing', operator: 'equal', value: 0 }, true: { fact: 'proposal.zero', operator: 'equal', value: 0 }, false: { fact: 'proposal.zero', operator: 'notEqual', value: 0 } };
    const settings = fc.record({ onError: fc.constantFrom('review', 'reject'), onUnknown: fc.constantFrom('review', 'reject'), default: fc.constantFrom('approve', 'review') });
    let forcedRules = 0;
    fc.assert(fc.property(policyArb, settings, fc.nat(), fc.array(arbitraryFor(contract), { minLength: 10, maxLength: 10 }), (gen, set, pick, proposals) => {
      const file = load(gen.rules) as { derive: object; rules: { when: object }[] };
      const k = pick % file.rules.length;
      const policies = Object.fromEntries(Object.entries(forced).map(([name, when]) => {
        const rules = file.rules.map((r, i) => (i === k ? { ...r, when } : r));
        const text = dump({ ...file, derive: { ...file.derive, nothing: { divide: ['proposal.zero', 'proposal.zero'] } }, rules });
        return [name, compileMini({ contract, rules: text, action: { on_error: set.onError, on_unknown: set.onUnknown, default: set.default } })];
      })) as Record<keyof typeof forced, CompiledPolicy>;
      for (const p of proposals) {
        for (const evaluator of ['compiled', 'interpreted'] as const) {
          const [failing, fired, notFired] = (['error', 'true', 'false'] as const).map((name) => decide(policies[name], { action: 't', proposal: p, now: NOW }, { evaluator }));
          expect(failing!.errors).toContainEqual(expect.objectContaining({ code: 'division_by_zero', rule: `r${k}` }));
          expect(SEVERITY[failing!.outcome], `${evaluator}: failing ${failing!.outcome}, fired ${fired!.outcome}`).toBeGreaterThanOrEqual(SEVERITY[fired!.outcome]);
          expect(SEVERITY[failing!.outcome], `${evaluator}: failing ${failing!.outcome}, not fired ${notFired!.outcome}`).toBeGreaterThanOrEqual(SEVERITY[notFired!.outcome]);
        }
        forcedRules++;
      }
    }), { numRuns: 150, seed: 12 });
    expect(forcedRules).toBe(1500);
  });
});
