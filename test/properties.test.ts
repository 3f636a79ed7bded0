/**
 * Properties of decide():
 * - totality and determinism on the bundled pack, over proposals and contexts generated from the
 *   contracts: every valid input gets exactly one outcome, nothing throws, the same input gives
 *   the same decision, and the generated code agrees with the interpreter;
 * - every older contract version the pack serves: a valid proposal of it upgrades into a valid
 *   proposal of the current version, and is decided as that proposal would be;
 * - fail-closed over generated rule sets: removing an optional fact never moves a decision toward
 *   approve (a missing fact makes conditions unknown, and unknown never approves), and neither does
 *   making any leaf of a rule fail, under `all`, `any`, `not` and quantifiers at any depth, compared
 *   with the same leaf true and false.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dump, load } from 'js-yaml';
import { arbitraryFor } from '../analysis/prop/arbitraries.js';
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
  ];
  /** Inside a quantifier a condition may also read the element. */
  const itemLeaf = fc.tuple(fc.constantFrom('greaterThan', 'equal', 'lessThanInclusive'), fc.integer({ min: 0, max: 3 }))
    .map(([operator, value]) => ({ fact: 'item', operator, value }));
  const { cond } = fc.letrec<{ cond: object; inner: object }>((tie) => {
    const node = (leaf: fc.Arbitrary<object>, self: 'cond' | 'inner') => fc.oneof({ depthSize: 'small' }, leaf,
      fc.array(tie(self), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
      fc.array(tie(self), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
      tie(self).map((not) => ({ not })),
      fc.tuple(fc.constantFrom('some', 'every', 'none'), tie('inner')).map(([q, where]) => ({ [q]: 'proposal.list', where })));
    return { cond: node(fc.oneof(...leaves), 'cond'), inner: node(fc.oneof(...leaves, itemLeaf), 'inner') };
  });
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

  type Path = (string | number)[];
  const QUANTIFIERS = ['some', 'every', 'none'];

  /** Every leaf of a generated condition: where it is, and the kinds of condition it sits under. */
  function leavesOf(c: Record<string, unknown>, path: Path = [], above: string[] = []): { path: Path; above: string[] }[] {
    if ('fact' in c) return [{ path, above }];
    const kind = Object.keys(c).find((k) => ['all', 'any', 'not', ...QUANTIFIERS].includes(k))!;
    const under = [...above, kind];
    if (kind === 'all' || kind === 'any') return (c[kind] as Record<string, unknown>[]).flatMap((x, i) => leavesOf(x, [...path, kind, i], under));
    if (kind === 'not') return leavesOf(c.not as Record<string, unknown>, [...path, 'not'], under);
    return leavesOf(c.where as Record<string, unknown>, [...path, 'where'], under);
  }

  function replaced(c: object, path: Path, leaf: object): object {
    if (path.length === 0) return leaf;
    const copy = structuredClone(c) as Record<string | number, unknown>;
    let o = copy;
    for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
    o[path.at(-1)!] = leaf;
    return copy;
  }

  it('making a leaf of a rule fail, at any depth, never moves a decision toward approve', () => {
    const contract = { ...CONTRACT, required: ['id', 'zero'], properties: { ...CONTRACT.properties, zero: { type: 'integer', const: 0 } } };
    const settings = fc.record({ onError: fc.constantFrom('review', 'reject'), onUnknown: fc.constantFrom('review', 'reject'), default: fc.constantFrom('approve', 'review') });
    let forced = 0, surfaced = 0;
    const under = new Map<string, number>();
    fc.assert(fc.property(policyArb, settings, fc.nat(), fc.nat(), fc.boolean(), fc.array(arbitraryFor(contract), { minLength: 10, maxLength: 10 }), (gen, set, pickRule, pickLeaf, perElement, proposals) => {
      const file = load(gen.rules) as { derive: object; rules: { when: Record<string, unknown> }[] };
      const k = pickRule % file.rules.length;
      const spots = leavesOf(file.rules[k]!.when);
      const spot = spots[pickLeaf % spots.length]!;
      const inQuantifier = spot.above.some((x) => QUANTIFIERS.includes(x));
      // Inside a quantifier the failing leaf may also fail on each element rather than once.
      const error = inQuantifier && perElement ? { fact: { divide: ['item', 'proposal.zero'] }, operator: 'equal', value: 0 } : { fact: 'nothing', operator: 'equal', value: 0 };
      const variants = { error, true: { fact: 'proposal.zero', operator: 'equal', value: 0 }, false: { fact: 'proposal.zero', operator: 'notEqual', value: 0 } };
      const policies = Object.fromEntries(Object.entries(variants).map(([name, leaf]) => {
        const rules = file.rules.map((r, i) => (i === k ? { ...r, when: replaced(r.when, spot.path, leaf) } : r));
        const text = dump({ ...file, derive: { ...file.derive, nothing: { divide: ['proposal.zero', 'proposal.zero'] } }, rules });
        return [name, compileMini({ contract, rules: text, action: { on_error: set.onError, on_unknown: set.onUnknown, default: set.default } })];
      })) as Record<keyof typeof variants, CompiledPolicy>;
      for (const kind of new Set(spot.above)) under.set(kind, (under.get(kind) ?? 0) + 1);
      if (spot.above.length >= 3) under.set('depth 3+', (under.get('depth 3+') ?? 0) + 1);
      for (const p of proposals) {
        for (const evaluator of ['compiled', 'interpreted'] as const) {
          const [failing, fired, notFired] = (['error', 'true', 'false'] as const).map((name) => decide(policies[name], { action: 't', proposal: p, now: NOW }, { evaluator }));
          const at = `${evaluator}, leaf under ${spot.above.join(' > ') || 'nothing'}`;
          expect(SEVERITY[failing!.outcome], `${at}: failing ${failing!.outcome}, leaf true ${fired!.outcome}`).toBeGreaterThanOrEqual(SEVERITY[fired!.outcome]);
          expect(SEVERITY[failing!.outcome], `${at}: failing ${failing!.outcome}, leaf false ${notFired!.outcome}`).toBeGreaterThanOrEqual(SEVERITY[notFired!.outcome]);
          if (evaluator === 'compiled' && failing!.errors.some((e) => e.code === 'division_by_zero' && e.rule === `r${k}`)) surfaced++;
        }
        forced++;
      }
    }), { numRuns: 300, seed: 12 });
    expect(forced).toBe(3000);
    // The failing leaf must reach every kind of condition, deep, and fail its rule often, or the property proves little.
    for (const kind of ['all', 'any', 'not', ...QUANTIFIERS, 'depth 3+']) expect(under.get(kind) ?? 0, `leaves under ${kind}`).toBeGreaterThan(25);
    expect(surfaced).toBeGreaterThan(600);
  });
});
