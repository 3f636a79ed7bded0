/**
 * A policy sent from a reload's worker thread (toPortable, a structured clone, fromPortable) must
 * be the policy an in-process compile makes: the same members, frozen alike, and the same
 * decisions (outcome, reasons, shadow, risk, errors, full trace, revision) on every input, for
 * the bundled pack and for generated rule sets with patterns, derived facts, lookups, exact
 * constants, long lists, named conditions, shadow rules, quantifiers and risk signals.
 */
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { arbitraryFor } from '../analysis/prop/arbitraries.js';
import { compileDir } from '../cli/io.js';
import { fromPortable, toPortable } from '../engine/compile/transfer.js';
import { decide, type CompiledAction, type CompiledPolicy } from '../engine/index.js';
import { ROOT } from './helpers/cli.js';
import { conditionsOf } from './helpers/conditions.js';
import { compileMini } from './helpers/policy.js';

const NOW = '2026-11-21T10:00:00Z';

const transferred = (policy: CompiledPolicy) => fromPortable(structuredClone(toPortable(policy)));

/** An action without the functions a transfer makes anew, which compare by identity. */
const members = (a: CompiledAction) => ({
  ...a, evaluate: undefined,
  contract: { ...a.contract, validate: undefined },
  context: a.context && { ...a.context, validate: undefined },
  versions: new Map([...a.versions].map(([ref, v]) => [ref, { ...v, use: { ...v.use, validate: undefined } }])),
});

function expectSamePolicy(rebuilt: CompiledPolicy, policy: CompiledPolicy): void {
  expect(rebuilt.revision).toBe(policy.revision);
  expect(rebuilt.engineVersion).toBe(policy.engineVersion);
  expect([...rebuilt.actions.keys()]).toEqual([...policy.actions.keys()]);
  expect(Object.isFrozen(rebuilt)).toBe(true);
  for (const [name, a] of rebuilt.actions) {
    const original = policy.actions.get(name)!;
    expect(members(a)).toStrictEqual(members(original));
    expect(Object.isFrozen(a)).toBe(true);
    for (const r of a.rules) expect(Object.isFrozen(r.when)).toBe(true);
  }
}

function expectSameDecision(rebuilt: CompiledPolicy, policy: CompiledPolicy, request: Parameters<typeof decide>[1]): ReturnType<typeof decide> {
  const d = decide(policy, request);
  expect(decide(rebuilt, request)).toStrictEqual(d);
  expect(decide(rebuilt, request, { evaluator: 'interpreted' })).toStrictEqual(decide(policy, request, { evaluator: 'interpreted' }));
  return d;
}

describe('a policy transferred from another thread', () => {
  const { result } = compileDir(ROOT);
  if (!result.ok) throw new Error('the bundled pack does not compile');
  const pack = result.policy;

  it('the bundled pack: the same members and revision as the compiled one', () => {
    expectSamePolicy(transferred(pack), pack);
  });

  for (const action of pack.actions.values()) {
    it(`the bundled pack, ${action.name}: the same decision on every input, valid or not`, () => {
      const rebuilt = transferred(pack);
      const part = (schema: Record<string, unknown>) => fc.oneof({ weight: 5, arbitrary: arbitraryFor(schema) }, { weight: 1, arbitrary: fc.jsonValue() });
      let rejected = 0;
      fc.assert(fc.property(part(action.contract.schema), part(action.context!.schema), (proposal, context) => {
        const d = expectSameDecision(rebuilt, pack, { action: action.name, proposal, context, now: NOW, explain: 'full' });
        if (d.errors.some((e) => e.code.startsWith('contract.'))) rejected++;
      }), { numRuns: 200, seed: 18 });
      // Contract errors come from the validators compiled again on the receiving side.
      expect(rejected).toBeGreaterThan(10);
    });
  }

  it('generated rule sets: the same members and the same decision on every input', () => {
    let decisions = 0, errors = 0, shadowed = 0, quantified = 0;
    fc.assert(fc.property(policyArb, fc.array(proposal, { minLength: 12, maxLength: 12 }), (gen, proposals) => {
      const rules = Array.from({ length: gen.copies }, (_, c) => gen.rules.map(([when, outcome, mode], i) => ({
        id: `r${c}_${i}`, outcome, mode, when, reason: 'amount {proposal.amount}, share {share}',
      }))).flat();
      const text = dump({ conditions: CONDITIONS, tables: TABLES, derive: DERIVE, rules, risk: { signals: gen.signals.map(([when, points], i) => ({ id: `s${i}`, when, points })), tiers: { medium: 30, high: 60 }, route: { high: 'review' } } }, { noRefs: true });
      const policy = compileMini({ contract: CONTRACT, rules: text, action: { on_error: gen.onError, default: gen.default } });
      const rebuilt = transferred(policy);
      expectSamePolicy(rebuilt, policy);
      for (const p of proposals) {
        const d = expectSameDecision(rebuilt, policy, { action: 't', proposal: p, now: NOW, explain: 'full' });
        decisions++;
        if (d.errors.length) errors++;
        if (d.shadow.reasons.some((r) => !d.reasons.includes(r))) shadowed++;
        if (d.trace?.rules.some((r) => r.result === 'fired' && JSON.stringify(r).includes('"some"'))) quantified++;
      }
    }), { numRuns: 60, seed: 20261218 });
    expect(decisions).toBe(720);
    // The generators must reach errors, shadow rules and quantifiers, or the test shows nothing about them.
    expect(errors).toBeGreaterThan(30);
    expect(shadowed).toBeGreaterThan(100);
    expect(quantified).toBeGreaterThan(20);
  });

  it('a literal shaped like a transferred definition stays a literal', () => {
    const policy = compileMini({
      contract: { type: 'object', required: ['meta'], properties: { meta: {} } },
      rules: `rules:
  - id: r
    outcome: reject
    when:
      any:
        - { fact: proposal.meta, operator: equal, value: { value: { operator: equal } } }
        - { fact: proposal.meta, operator: equal, value: { value: { "__proto__": { function: add }, rational: [1, 2] } } }
`,
    });
    const rebuilt = transferred(policy);
    expectSamePolicy(rebuilt, policy);
    const d = expectSameDecision(rebuilt, policy, { action: 't', proposal: { meta: { operator: 'equal' } }, now: NOW, explain: 'full' });
    expect(d.outcome).toBe('approve');
    const when = rebuilt.actions.get('t')!.rules[0]!.when;
    const leaf = when.k === 'any' ? when.items[1] : undefined;
    const literal = leaf?.k === 'leaf' && leaf.right?.k === 'const' ? leaf.right.value as object : undefined;
    expect(Object.getPrototypeOf(literal)).toBe(Object.prototype);
    expect(Object.keys(literal!)).toEqual(['__proto__', 'rational']);
  });

  it('refuses a value it cannot carry, and a policy of another engine, instead of serving them changed', () => {
    const policy = compileMini({ contract: { type: 'object', properties: { a: { type: 'number' } } }, rules: { rules: [{ id: 'r', outcome: 'review', when: { fact: 'proposal.a', operator: 'equal', value: 1 } }] } });
    const action = policy.actions.get('t')!;
    const odd = { ...policy, actions: new Map([['t', { ...action, extra: new Date(0) } as CompiledAction]]) };
    expect(() => toPortable(odd)).toThrow('a compiled policy cannot be transferred with a `Date`');
    expect(() => fromPortable({ ...toPortable(policy), engineVersion: '0.0.0' })).toThrow(`the policy was compiled by engine 0.0.0, not ${policy.engineVersion}`);
  });
});

const CONTRACT = {
  type: 'object', additionalProperties: false, required: ['amount', 'code', 'items'],
  properties: {
    amount: { type: 'number' },
    total: { type: ['number', 'null'] },
    price: { type: 'string', format: 'decimal' },
    code: { type: 'string', maxLength: 12 },
    tier: { type: 'string', enum: ['basic', 'standard', 'premium'] },
    at: { type: 'string', format: 'date-time' },
    items: {
      type: 'array', maxItems: 4,
      items: { type: 'object', additionalProperties: false, required: ['sku', 'qty'], properties: { sku: { type: 'string' }, qty: { type: 'integer' }, price: { type: 'string', format: 'decimal' } } },
    },
  },
};

const CONDITIONS = { large: { fact: 'proposal.amount', operator: 'greaterThan', value: 100 } };
const TABLES = { tier_rank: { basic: 1, standard: 2, premium: 3 } };
const DERIVE = {
  share: { divide: ['proposal.amount', 'proposal.total'] },
  spent: { sum: { over: 'proposal.items', of: 'qty' } },
  rank: { lookup: ['tier_rank', 'proposal.tier'] },
  age: { subtract: ['now', 'proposal.at'] },
  gross: { add: ['proposal.price', 'proposal.amount'] },
};
const PATTERNS = ['^[A-Z]{2}[0-9]{3}$', '/^ab/i', '^x(-[a-z]+)?$', '[0-9]{4}'];

const NUMBERS = fc.oneof(fc.integer({ min: -3, max: 200 }), fc.constantFrom(0, -0, 0.1, 0.5, 1e308, 5e-324, 2 ** 53 + 2, 123.456));
const CODES = fc.oneof(fc.constantFrom('AB123', 'ab999', 'x-yz', 'x', '1234', 'ZZ', 'AB'), fc.string({ maxLength: 12 }));
const DECIMALS = fc.constantFrom('0', '-1', '0.5', '1017.50', '99.99', `0.${'0'.repeat(98)}1`);
const absentOrNull = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const proposal = fc.record({
  amount: NUMBERS,
  total: absentOrNull(fc.oneof(NUMBERS, fc.constant(0), fc.constant(0))),
  price: DECIMALS,
  code: CODES,
  tier: fc.constantFrom('basic', 'standard', 'premium'),
  at: fc.constantFrom('2026-11-21T10:00:00Z', '2026-11-21T07:30:00Z', '2026-11-20T10:00:00+14:00', '2026-12-31T23:59:60Z'),
  items: fc.array(fc.record({ sku: CODES, qty: fc.integer({ min: -1, max: 5 }), price: DECIMALS }, { requiredKeys: ['sku', 'qty'] }), { maxLength: 4 }),
}, { requiredKeys: ['amount', 'code', 'items'] });

const numberFact = fc.constantFrom('proposal.amount', 'proposal.total', 'proposal.price', 'share', 'spent', 'rank', 'gross');
const ORDER = ['equal', 'notEqual', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'] as const;
const leaf: fc.Arbitrary<object> = fc.oneof(
  fc.tuple(numberFact, fc.constantFrom(...ORDER), fc.oneof(fc.constantFrom(0, 1, 2, 0.5, 100), numberFact.map((fact) => ({ fact }))))
    .map(([fact, operator, value]) => ({ fact, operator, value })),
  // Long lists compile to a Set among the generated code's constants.
  fc.tuple(fc.constantFrom('in', 'notIn'), fc.uniqueArray(fc.integer({ min: -2, max: 120 }), { minLength: 1, maxLength: 12 })).map(([operator, value]) => ({ fact: 'proposal.amount', operator, value })),
  fc.tuple(fc.constantFrom('proposal.code', 'proposal.tier'), fc.constantFrom(...PATTERNS)).map(([fact, value]) => ({ fact, operator: 'matches', value })),
  fc.tuple(fc.constantFrom('startsWith', 'endsWith', 'equalIgnoreCase', 'contains'), fc.constantFrom('AB', 'x', '3')).map(([operator, value]) => ({ fact: 'proposal.code', operator, value })),
  fc.constantFrom('proposal.total', 'proposal.tier', 'share', 'rank').chain((fact) => fc.constantFrom('exists', 'missing').map((operator) => ({ fact, operator }))),
  fc.constantFrom(
    { fact: 'proposal.at', operator: 'lessThan', value: { fact: 'now' } },
    { fact: 'proposal.at', operator: 'greaterThan', value: { instant: '2026-11-21T09:00:00Z' } },
    { fact: 'proposal.at', operator: 'lessThan', value: { subtract: ['now', { duration: '1h' }] } },
    { fact: 'age', operator: 'greaterThan', value: { duration: '2h' } },
    { fact: 'proposal.tier', operator: 'in', value: ['basic', 'premium'] },
    { condition: 'large' },
  ),
  fc.tuple(fc.constantFrom('some', 'every', 'none'), fc.constantFrom(
    { fact: 'item.qty', operator: 'greaterThan', value: 2 },
    { fact: 'item.sku', operator: 'matches', value: '^[A-Z]{2}[0-9]{3}$' },
    { fact: 'item.price', operator: 'greaterThan', value: 1 },
  )).map(([q, where]) => ({ [q]: 'proposal.items', where })),
);
const cond = conditionsOf(leaf);

const policyArb = fc.record({
  rules: fc.array(fc.tuple(cond, fc.constantFrom('reject', 'review'), fc.constantFrom('enforce', 'enforce', 'shadow')), { minLength: 1, maxLength: 6 }),
  signals: fc.array(fc.tuple(cond, fc.integer({ min: 1, max: 70 })), { maxLength: 3 }),
  copies: fc.constantFrom(1, 1, 1, 30),
  onError: fc.constantFrom('review', 'reject'),
  default: fc.constantFrom('approve', 'review'),
});
