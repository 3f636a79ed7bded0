/**
 * Differential test on the values where evaluation can go wrong: decimal strings up to the bound,
 * huge and tiny doubles, zero denominators, absent and null members, instants and dates, dates
 * moved by durations that are not whole days, text read by the conversions (`date`, `instant`,
 * `decimal`, `integer`) in and out of their formats, and members of no single type (`{}`,
 * `[string, number]`), whose comparisons are typed only at run time and can fail there. On every
 * input the generated code and the interpreter must return the same decision: outcome, reasons,
 * fired rules, errors and full trace. Rule sets are sometimes long enough to span several chunks
 * of generated code. Generated exceptions, expired or not, relax some of the rules.
 */
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { decide, type TraceNode } from '../engine/index.js';
import { requestEnv } from '../engine/decide/decide.js';
import { gateOf } from '../engine/eval/screen.js';
import { conditionsOf } from './helpers/conditions.js';
import { compileMini } from './helpers/policy.js';

const NOW = '2026-11-21T10:00:00Z';

const CONTRACT = {
  type: 'object', additionalProperties: false, required: ['amount', 'either'],
  properties: {
    amount: { type: 'number' },
    total: { type: ['number', 'null'] },
    price: { type: 'string', format: 'decimal' },
    qty: { type: ['integer', 'null'] },
    at: { type: 'string', format: 'date-time' },
    day: { type: 'string', format: 'date' },
    prices: { type: 'array', items: { type: 'string', format: 'decimal' }, maxItems: 4 },
    anything: {},
    either: { type: ['string', 'number'] },
    eithers: { type: 'array', items: { type: ['string', 'number'] }, maxItems: 3 },
    text: { type: 'string' },
  },
};

const DERIVE = {
  share: { divide: ['proposal.amount', 'proposal.total'] },
  unit: { divide: ['proposal.price', 'proposal.qty'] },
  gross: { add: ['proposal.price', 'proposal.amount'] },
  moved: { add: ['proposal.day', { multiply: ['proposal.qty', { duration: '1h' }] }] },
  age: { subtract: ['now', 'proposal.at'] },
  spent: { sum: 'proposal.prices' },
  loose: { add: ['proposal.either', 'proposal.amount'] },
  loose_length: { length: 'proposal.anything' },
  loose_sum: { sum: 'proposal.eithers' },
  parsed: { decimal: 'proposal.text' },
};

const NUMBERS = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0, -0, 0.1, 0.5, 1e308, -1e308, 5e-324, -5e-324, 1.7976931348623157e308, 2 ** 53 + 2, 123.456),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const digits = (min: number, max: number) => fc.array(fc.constantFrom('0', '1', '5', '9'), { minLength: min, maxLength: max }).map((d) => d.join(''));
const DECIMALS = fc.oneof(
  fc.constantFrom('0', '-0', '0.0', '1', '-1', '0.5', '1017.50', `0.${'0'.repeat(99)}`, `9${'9'.repeat(99)}`, `-0.${'0'.repeat(98)}1`),
  // Past the bound of 100 digits too: those break the contract, on both paths alike.
  fc.tuple(fc.constantFrom(2, 99, 100, 101, 401, 450), fc.boolean()).map(([n, int]) => (int ? `1${'0'.repeat(n - 1)}` : `0.${'0'.repeat(n - 1)}`)),
  fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 9 }), digits(0, 50), digits(0, 49))
    .map(([neg, lead, int, frac]) => `${neg ? '-' : ''}${lead === 0 ? '0' : `${lead}${int}`}${frac ? `.${frac}` : ''}`),
);
const INSTANTS = fc.constantFrom('2026-11-21T10:00:00Z', '2026-11-21T09:59:59.999999999Z', '2026-12-31T23:59:60Z', '1970-01-01T00:00:00Z', '2026-11-21T10:00:00+14:00');
const DATES = fc.constantFrom('2026-11-21', '2026-11-20', '2024-02-29', '1999-12-31');
// Text for the conversions: each format, spellings just outside them, and no format at all.
const TEXTS = fc.oneof(INSTANTS, DATES, DECIMALS,
  fc.constantFrom('2026-02-30', '2026-11-21T10:00:00', '2026-11-21t10:00:00z', '2026-11-21\t10:00:00Z', '2026-12-31T12:00:60Z', '+1', '1e3', '01', '1.', '', ' 1', 'n/a'));

const LOOSE_TEXTS = fc.constantFrom('', 'a', 'abc', 'A', '1', '0', '-0', '1e3', '2026-11-21', '2026-11-21T10:00:00Z', '36h');
const EITHER = fc.oneof(NUMBERS, DECIMALS, LOOSE_TEXTS);
const ANYTHING = fc.oneof(EITHER, fc.boolean(), fc.constant(null), fc.array(fc.oneof(fc.integer({ min: -2, max: 2 }), LOOSE_TEXTS), { maxLength: 3 }), fc.constant({ a: 1 }));

const absentOrNull = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const proposal = fc.record({
  amount: NUMBERS,
  total: absentOrNull(fc.oneof(NUMBERS, fc.constant(0))),
  price: DECIMALS,
  qty: absentOrNull(fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constantFrom(0, 24, 48, 36))),
  at: INSTANTS,
  day: DATES,
  prices: fc.array(DECIMALS, { maxLength: 4 }),
  anything: ANYTHING,
  either: EITHER,
  eithers: fc.array(EITHER, { maxLength: 3 }),
  text: TEXTS,
}, { requiredKeys: ['amount', 'either'] });

const LITERALS = fc.constantFrom(0, 1, -1, 0.5, 100);
const numberFact = fc.constantFrom('proposal.amount', 'proposal.total', 'proposal.price', 'proposal.qty', 'share', 'unit', 'gross', 'spent', 'parsed');
const conversion = fc.constantFrom('date', 'instant', 'decimal', 'integer').map((fn) => ({ [fn]: 'proposal.text' }));
const leaf: fc.Arbitrary<object> = fc.oneof(
  fc.tuple(numberFact, fc.constantFrom('equal', 'notEqual', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'), fc.oneof(LITERALS, numberFact.map((fact) => ({ fact }))))
    .map(([fact, operator, value]) => ({ fact, operator, value })),
  fc.tuple(numberFact, fc.constantFrom('in', 'notIn'), fc.uniqueArray(LITERALS, { minLength: 1, maxLength: 3 })).map(([fact, operator, value]) => ({ fact, operator, value })),
  fc.tuple(fc.constantFrom('proposal.total', 'proposal.price', 'share', 'unit', 'moved', 'proposal.at'), fc.constantFrom('exists', 'missing')).map(([fact, operator]) => ({ fact, operator })),
  fc.constantFrom('lessThan', 'greaterThanInclusive').map((operator) => ({ fact: 'moved', operator, value: { fact: 'today' } })),
  fc.constantFrom('greaterThan', 'lessThan').map((operator) => ({ fact: 'age', operator, value: { duration: '1h' } })),
  fc.constantFrom('lessThan', 'equal').map((operator) => ({ fact: 'proposal.at', operator, value: { fact: 'now' } })),
  ...untypedLeaves(),
  fc.tuple(fc.constantFrom('lessThan', 'greaterThanInclusive', 'equal'), fc.constantFrom('date', 'instant'))
    .map(([operator, fn]) => ({ fact: { [fn]: 'proposal.text' }, operator, value: { fact: fn === 'date' ? 'today' : 'now' } })),
  fc.tuple(fc.constantFrom('decimal', 'integer'), fc.constantFrom('equal', 'lessThan', 'greaterThan'), fc.oneof(LITERALS, numberFact.map((fact) => ({ fact }))))
    .map(([fn, operator, value]) => ({ fact: { [fn]: 'proposal.text' }, operator, value })),
  fc.tuple(conversion, fc.constantFrom('exists', 'missing')).map(([fact, operator]) => ({ fact, operator })),
);

/** Comparisons on members of no single type, on either side, and on values computed from them. */
function untypedLeaves(): fc.Arbitrary<object>[] {
  const untyped = fc.constantFrom('proposal.anything', 'proposal.either');
  const compare = fc.constantFrom('equal', 'notEqual', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive');
  const literal = fc.oneof(LITERALS, LOOSE_TEXTS, fc.boolean());
  return [
    fc.tuple(untyped, compare, fc.oneof(literal, fc.oneof(numberFact, untyped).map((fact) => ({ fact }))))
      .map(([fact, operator, value]) => ({ fact, operator, value })),
    fc.tuple(numberFact, compare, untyped).map(([fact, operator, other]) => ({ fact, operator, value: { fact: other } })),
    fc.tuple(untyped, fc.constantFrom('in', 'notIn'), fc.uniqueArray(fc.oneof(LITERALS, LOOSE_TEXTS), { minLength: 1, maxLength: 3 }))
      .map(([fact, operator, value]) => ({ fact, operator, value })),
    fc.tuple(untyped, fc.constantFrom('contains', 'startsWith', 'endsWith', 'equalIgnoreCase'), fc.constantFrom('a', '1'))
      .map(([fact, operator, value]) => ({ fact, operator, value })),
    fc.tuple(fc.constantFrom('contains', 'doesNotContain'), fc.oneof(LITERALS, LOOSE_TEXTS)).map(([operator, value]) => ({ fact: 'proposal.eithers', operator, value })),
    fc.tuple(fc.constantFrom('proposal.anything', 'proposal.either', 'loose', 'loose_length', 'loose_sum'), fc.constantFrom('exists', 'missing')).map(([fact, operator]) => ({ fact, operator })),
    fc.tuple(fc.constantFrom('loose', 'loose_length', 'loose_sum'), compare, LITERALS).map(([fact, operator, value]) => ({ fact, operator, value })),
    fc.tuple(fc.constantFrom('some', 'every', 'none'), compare, fc.oneof(LITERALS, LOOSE_TEXTS))
      .map(([q, operator, value]) => ({ [q]: 'proposal.eithers', where: { fact: 'item', operator, value } })),
  ];
}

const UNTYPED = new Set(['proposal.anything', 'proposal.either', 'proposal.eithers', 'loose', 'loose_length', 'loose_sum']);

/** Counts, by result, the comparisons and quantifiers in a trace that read a value of no single type. */
function countUntyped(node: TraceNode, counts: Map<string, number>): void {
  const reads = node.kind === 'leaf' ? UNTYPED.has(node.fact) || UNTYPED.has(node.expectedFact ?? '') : 'over' in node && UNTYPED.has(node.over);
  if (reads) counts.set(String(node.result), (counts.get(String(node.result)) ?? 0) + 1);
  const kids = 'items' in node ? node.items : 'item' in node ? [node.item] : 'elements' in node ? node.elements.map((e) => e.where) : [];
  for (const k of kids) countUntyped(k, counts);
}

const cond = conditionsOf(leaf);

const policyArb = fc.record({
  rules: fc.array(fc.tuple(cond, fc.constantFrom('reject', 'review')), { minLength: 1, maxLength: 6 }),
  copies: fc.constantFrom(1, 1, 1, 40),
  onError: fc.constantFrom('review', 'reject'),
  onUnknown: fc.constantFrom('review', 'reject'),
  default: fc.constantFrom('approve', 'review'),
  // Exceptions relaxing some of the rules (by position) where their condition holds; at NOW, one expiring at NOW has expired.
  exceptions: fc.array(fc.tuple(cond, fc.uniqueArray(fc.nat(5), { minLength: 1, maxLength: 3 }), fc.constantFrom(NOW, '2027-01-01T00:00:00Z')), { maxLength: 2 }),
});

/** The exceptions file for generated exceptions, naming rules of the first copy only. */
function exceptionsOf(gen: { rules: unknown[]; exceptions: [object, number[], string][] }): Record<string, string> {
  if (!gen.exceptions.length) return {};
  const exceptions = gen.exceptions.map(([when, at, expires], i) => ({
    id: `x${i}`, relaxes: [...new Set(at.map((n) => `r0_${n % gen.rules.length}`))], when, expires, owner: 'o', granted_by: 'g', ticket: 'T-1', reason: 'r',
  }));
  return { 'exceptions/t.yaml': dump({ exceptions }, { noRefs: true }) };
}

describe('differential on failing values: generated code and interpreter', () => {
  it('agree on outcome, reasons, fired rules, errors and trace for every input', () => {
    let compared = 0, failed = 0, rejected = 0, relaxed = 0;
    const untyped = new Map<string, number>();
    fc.assert(fc.property(policyArb, fc.array(proposal, { minLength: 25, maxLength: 25 }), (gen, proposals) => {
      const rules = Array.from({ length: gen.copies }, (_, c) => gen.rules.map(([when, outcome], i) => ({ id: `r${c}_${i}`, outcome, when }))).flat();
      const files = exceptionsOf(gen);
      const policy = compileMini({
        contract: CONTRACT, rules: dump({ derive: DERIVE, rules }, { noRefs: true }), files,
        action: { on_error: gen.onError, on_unknown: gen.onUnknown, default: gen.default, ...(gen.exceptions.length ? { exceptions: Object.keys(files) } : {}) },
      });
      for (const p of proposals) {
        const request = { action: 't', proposal: p, now: NOW, explain: 'full' as const };
        const compiled = decide(policy, request);
        const interpreted = decide(policy, request, { evaluator: 'interpreted' });
        expect(compiled).toEqual(interpreted);
        if (compiled.exceptions?.some((x) => x.relaxed.length)) relaxed++;
        for (const r of compiled.trace?.rules ?? []) countUntyped(r.when, untyped);
        if (compiled.errors.some((e) => e.code.startsWith('contract.'))) rejected++;
        else if (compiled.errors.length) failed++;
        compared++;
      }
    }), { numRuns: 120, seed: 20261201 });
    expect(compared).toBe(3000);
    // The generators must reach the failing paths, or the test proves nothing about them.
    expect(failed).toBeGreaterThan(300);
    expect(rejected).toBeGreaterThan(50);
    expect(relaxed).toBeGreaterThan(100);
    expect(compared - rejected - failed).toBeGreaterThan(300);
    // Values of no single type must be compared to every result, errors and unknowns included.
    for (const result of ['true', 'false', 'unknown', 'error']) expect(untyped.get(result) ?? 0, `untyped comparisons that are ${result}`).toBeGreaterThan(1000);
  });
});

/**
 * Screens (engine/eval/screen.ts) skip a chunk of generated code when every rule in it leads with
 * a comparison the request certainly fails. Here 600 rules lead with comparisons that screens
 * take (thresholds on numbers read as they are, optional numbers and derived facts that can be
 * missing or fail; keys on text), first in an `all`, after other members or nested in one, beside
 * the failing-value conditions above; the decision must be the interpreter's, at both trace levels.
 */
const SCREENED_FACTS = fc.constantFrom('proposal.amount', 'proposal.total', 'share', 'gross');
const screenedLeaf: fc.Arbitrary<object> = fc.oneof(
  fc.tuple(SCREENED_FACTS, fc.constantFrom('lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'), fc.oneof(LITERALS, fc.integer({ min: -50, max: 50 }), fc.constantFrom(1e308, -1e308, 3600)))
    .map(([fact, operator, value]) => ({ fact, operator, value })),
  fc.tuple(fc.constantFrom('equal', 'in'), fc.uniqueArray(fc.oneof(LOOSE_TEXTS, fc.constantFrom('2026-11-21', 'n/a', '1017.50')), { minLength: 1, maxLength: 3 }))
    .map(([operator, values]) => ({ fact: 'proposal.text', operator, value: operator === 'equal' ? values[0] : values })),
);
const screenedRule = fc.tuple(screenedLeaf, cond, fc.constantFrom('alone', 'first', 'after', 'nested')).map(([lead, other, where]) => {
  switch (where) {
    case 'alone': return lead;
    case 'first': return { all: [lead, other] };
    case 'after': return { all: [other, lead] };
    default: return { all: [{ all: [lead, other] }, other] };
  }
});

describe('differential with screened chunks: generated code and interpreter', () => {
  it('agree on every decision of 600 screened rules, and the screens skip chunks', () => {
    let compared = 0, skipped = 0, ran = 0;
    fc.assert(fc.property(fc.array(fc.tuple(screenedRule, fc.constantFrom('reject', 'review')), { minLength: 600, maxLength: 600 }), fc.array(proposal, { minLength: 8, maxLength: 8 }), (rules, proposals) => {
      const policy = compileMini({ contract: CONTRACT, rules: dump({ derive: DERIVE, rules: rules.map(([when, outcome], i) => ({ id: `r${i}`, outcome, when })) }, { noRefs: true }) });
      const action = policy.actions.get('t')!;
      const gates = action.code.screens.flatMap((s) => (s ? [gateOf(s)] : []));
      expect(gates.length).toBeGreaterThan(5);
      for (const p of proposals) {
        for (const explain of ['summary', 'full'] as const) {
          const request = { action: 't', proposal: p, now: NOW, explain };
          expect(decide(policy, request)).toEqual(decide(policy, request, { evaluator: 'interpreted' }));
        }
        const env = requestEnv(action, { proposal: p, now: NOW });
        for (const g of gates) if (g(env)) ran++; else skipped++;
        compared++;
      }
    }), { numRuns: 4, seed: 20261202 });
    expect(compared).toBe(32);
    // Both ways, or the test proves nothing about the screens.
    expect(skipped).toBeGreaterThan(100);
    expect(ran).toBeGreaterThan(100);
  });
});

/**
 * Members typed by a discriminator (`value` is a number, text or a date by `kind`, which may be
 * absent), compared beside tests of it in generated positions: before or after the comparison,
 * and with the comparison nested under `any`, `not` and further `all`s. Where the test is false or
 * unknown the member may hold another case's value; both paths must then agree, and neither may
 * read it as the narrowed type.
 */
const TAGGED = {
  type: 'object', additionalProperties: false, required: ['value'],
  properties: { kind: { type: 'string', enum: ['count', 'label', 'day'] }, value: { type: ['number', 'string'] }, limit: { type: 'number' } },
  anyOf: [
    { required: ['limit'], properties: { kind: { const: 'count' }, value: { type: 'number' }, limit: { type: 'number' } } },
    { properties: { kind: { const: 'label' }, value: { type: 'string' } } },
    { properties: { kind: { const: 'day' }, value: { type: 'string', format: 'date' } } },
  ],
};
type Kind = 'count' | 'label' | 'day';
const narrowedLeaf: Record<Kind, fc.Arbitrary<object>> = {
  count: fc.oneof(
    fc.tuple(fc.constantFrom('value', 'limit'), fc.constantFrom('lessThan', 'greaterThanInclusive', 'equal'), fc.constantFrom(0, 3, 5)).map(([m, operator, value]) => ({ fact: `proposal.${m}`, operator, value })),
    fc.constantFrom('lessThan', 'equal').map((operator) => ({ fact: 'proposal.value', operator, value: { fact: 'proposal.limit' } }))),
  label: fc.tuple(fc.constantFrom('equal', 'startsWith', 'in'), fc.constantFrom('x', 'ab')).map(([operator, v]) => ({ fact: 'proposal.value', operator, value: operator === 'in' ? [v, 'y'] : v })),
  day: fc.constantFrom('lessThan', 'greaterThanInclusive', 'equal').map((operator) => ({ fact: 'proposal.value', operator, value: { fact: 'today' } })),
};
/** Presence tests, and tests of `kind` against `kinds` (inside a test of one kind, only that one: another would contradict it). */
const plainLeaf = (...kinds: Kind[]) => fc.oneof(
  fc.constantFrom('kind', 'value', 'limit').chain((m) => fc.constantFrom('exists', 'missing').map((operator) => ({ fact: `proposal.${m}`, operator }))),
  fc.constantFrom(...kinds).map((value) => ({ fact: 'proposal.kind', operator: 'equal', value })),
);
const inner = (k: Kind): fc.Arbitrary<object> => fc.letrec<{ c: object }>((tie) => ({
  c: fc.oneof({ depthSize: 'small' }, { weight: 3, arbitrary: narrowedLeaf[k] },
    { weight: 1, arbitrary: fc.tuple(tie('c'), fc.oneof(tie('c'), plainLeaf(k))).map((any) => ({ any })) },
    { weight: 1, arbitrary: tie('c').map((not) => ({ not })) },
    { weight: 1, arbitrary: fc.tuple(tie('c'), plainLeaf(k)).map((all) => ({ all })) }),
})).c;
const guarded = fc.constantFrom<Kind>('count', 'label', 'day').chain((k) => fc.tuple(
  fc.constantFrom({ fact: 'proposal.kind', operator: 'equal', value: k }, { fact: 'proposal.kind', operator: 'in', value: [k] }), inner(k), fc.boolean(),
).map(([test, c, first]) => ({ all: first ? [test, c] : [c, test] })));
const { tagged } = fc.letrec<{ tagged: object }>((tie) => ({
  tagged: fc.oneof({ depthSize: 'small' }, { weight: 4, arbitrary: guarded }, { weight: 1, arbitrary: plainLeaf('count', 'label', 'day') },
    { weight: 1, arbitrary: fc.array(tie('tagged'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })) },
    { weight: 1, arbitrary: tie('tagged').map((not) => ({ not })) }),
}));
const taggedProposal = fc.record({
  kind: fc.constantFrom('count', 'label', 'day'),
  value: fc.oneof(fc.integer({ min: -1, max: 7 }), fc.constantFrom('x', 'ab', 'abc', '2026-11-20', '2026-11-21', '2026-11-22', '5')),
  limit: fc.constantFrom(0, 3, 5, 6),
}, { requiredKeys: ['value'] });

describe('differential on members typed by a discriminator: generated code and interpreter', () => {
  it('agree on every decision, where the test holds, fails and is unknown', () => {
    let compared = 0, failed = 0, rejected = 0, fired = 0;
    fc.assert(fc.property(fc.array(fc.tuple(tagged, fc.constantFrom('reject', 'review')), { minLength: 1, maxLength: 6 }), fc.array(taggedProposal, { minLength: 25, maxLength: 25 }), (rules, proposals) => {
      const policy = compileMini({ contract: TAGGED, rules: dump({ rules: rules.map(([when, outcome], i) => ({ id: `r${i}`, outcome, when })) }, { noRefs: true }) });
      for (const p of proposals) {
        const request = { action: 't', proposal: p, now: NOW, explain: 'full' as const };
        const compiled = decide(policy, request);
        expect(compiled).toEqual(decide(policy, request, { evaluator: 'interpreted' }));
        if (compiled.errors.some((e) => e.code.startsWith('contract.'))) rejected++;
        else if (compiled.errors.length) failed++;
        if (compiled.fired.enforce.length) fired++;
        compared++;
      }
    }), { numRuns: 120, seed: 20261202 });
    expect(compared).toBe(3000);
    // Valid proposals where a narrowed comparison fails (the test not true), fires, and does neither.
    expect(failed).toBeGreaterThan(200);
    expect(fired).toBeGreaterThan(300);
    expect(compared - rejected).toBeGreaterThan(1000);
  });
});
