/**
 * Regressions for issue 8's engine holes: an unreadable value, a failing function or a failing
 * chunk of generated code never lowers a decision, and both evaluators agree on every one.
 */
import { describe, expect, it } from 'vitest';
import type { Cond, Val } from '../engine/compile/ir.js';
import { generateChunks } from '../engine/eval/codegen.js';
import { evaluatorOf } from '../engine/eval/evaluate.js';
import { E, T } from '../engine/eval/runtime.js';
import { decide, type Decision } from '../engine/index.js';
import { OPERATORS, type OperatorDef } from '../engine/operators/index.js';
import { Rational } from '../engine/values/rational.js';
import { compileMini } from './helpers/policy.js';

const NOW = '2026-11-21T10:00:00Z';
const EVALUATORS = ['compiled', 'interpreted'] as const;

function both(policy: ReturnType<typeof compileMini>, proposal: unknown): Decision[] {
  return EVALUATORS.map((evaluator) => decide(policy, { action: 't', proposal, now: NOW }, { evaluator }));
}

describe('decimal strings', () => {
  const policy = compileMini({
    contract: { type: 'object', required: ['price'], additionalProperties: false, properties: { price: { type: 'string', format: 'decimal' } } },
    rules: { rules: [{ id: 'free', outcome: 'reject', when: { fact: 'proposal.price', operator: 'equal', value: 0 } }] },
  });

  it('compiled path does not fail open on a 401-digit decimal', () => {
    for (const d of both(policy, { price: `0.${'0'.repeat(401)}` })) {
      expect(d.outcome).toBe('reject');
      expect(d.reasons.map((r) => r.kind)).toEqual(['contract']);
      expect(d.errors).toEqual([expect.objectContaining({ code: 'contract.format', pointer: '/proposal/price' })]);
    }
  });

  it('a decimal at the documented bound of 100 digits is read exactly', () => {
    for (const d of both(policy, { price: `0.${'0'.repeat(99)}` })) {
      expect(d.outcome).toBe('reject');
      expect(d.reasons).toEqual([expect.objectContaining({ kind: 'rule', rule: 'free' })]);
      expect(d.errors).toEqual([]);
    }
  });
});

describe('errors count as the more severe of the rule outcome and on_error', () => {
  const contract = {
    type: 'object', required: ['amount', 'total'], additionalProperties: false,
    properties: { amount: { type: 'number' }, total: { type: 'number' } },
  };
  const rules = {
    derive: { share: { divide: ['proposal.amount', 'proposal.total'] } },
    rules: [
      { id: 'most', outcome: 'reject', when: { all: [{ fact: 'proposal.total', operator: 'greaterThan', value: 0 }, { fact: 'share', operator: 'greaterThan', value: 0.8 }] } },
      { id: 'share_of_nothing', outcome: 'reject', when: { fact: 'share', operator: 'greaterThan', value: 0.8 } },
    ],
  };

  it('a zero denominator in a reject rule rejects, not reviews', () => {
    const policy = compileMini({ contract, rules });
    for (const d of both(policy, { amount: 10, total: 0 })) {
      expect(d.outcome).toBe('reject');
      expect(d.reasons).toEqual([expect.objectContaining({ kind: 'error', rule: 'share_of_nothing', outcome: 'reject' })]);
      expect(d.errors).toEqual([expect.objectContaining({ code: 'division_by_zero', rule: 'share_of_nothing' })]);
    }
  });

  it('on_error: reject makes a failing review rule reject', () => {
    const policy = compileMini({ contract, rules: { ...rules, rules: [{ ...rules.rules[1], outcome: 'review' }] }, action: { on_error: 'reject' } });
    for (const d of both(policy, { amount: 10, total: 0 })) {
      expect(d.outcome).toBe('reject');
      expect(d.reasons).toEqual([expect.objectContaining({ kind: 'error', rule: 'share_of_nothing', outcome: 'reject' })]);
    }
  });
});

describe('a chunk of generated code that throws', () => {
  const loc = { file: 'rules/t.yaml', line: 1, col: 1 };
  const slot = { type: { kind: 'number' as const }, optional: false };
  const num = (value: number): Val => ({ k: 'const', slot, value, plain: true, text: String(value) });
  const leaf = (id: number, op: OperatorDef, a: number, b: number): Cond => ({ k: 'leaf', op, left: num(a), right: num(b), id, loc });
  const boom: OperatorDef = { name: 'boom', check: () => undefined, test: () => { throw new Error('boom'); } };

  it('a failing leaf marks only its own rule as an error, not its whole chunk', () => {
    const entries = [
      { index: 0, when: leaf(0, OPERATORS.get('equal')!, 1, 1) },
      { index: 1, when: leaf(1, boom, 1, 1) },
      { index: 2, when: leaf(2, OPERATORS.get('equal')!, 1, 2) },
      { index: 3, when: leaf(3, OPERATORS.get('lessThan')!, 1, 2) },
    ];
    const evaluate = evaluatorOf(generateChunks(entries), entries);
    const out: number[] = [];
    evaluate({ p: {}, c: {}, now: Rational.ZERO, today: 0, d: [] }, out);
    expect(out).toEqual([0, T, 1, E, 3, T]);
  });
});

describe('an operator given an error operand', () => {
  const contract = {
    type: 'object', required: ['amount', 'total'], additionalProperties: false,
    properties: { amount: { type: 'number' }, total: { type: 'number' }, note: { type: 'string' } },
  };
  const cases: [string, unknown][] = [
    ['equal', 1], ['notEqual', 1], ['lessThan', 1], ['lessThanInclusive', 1], ['greaterThan', 1], ['greaterThanInclusive', 1],
    ['in', [1, 2]], ['notIn', [1, 2]], ['exists', undefined], ['missing', undefined],
  ];
  for (const [operator, value] of cases) {
    it(`\`${operator}\` is an error, never false, on both evaluators`, () => {
      const when = { fact: 'share', operator, ...(value === undefined ? {} : { value }) };
      const policy = compileMini({
        contract,
        rules: { derive: { share: { divide: ['proposal.amount', 'proposal.total'] } }, rules: [{ id: 'r', outcome: 'reject', when: { not: when } }] },
      });
      for (const d of both(policy, { amount: 1, total: 0 })) {
        expect(d.outcome).toBe('reject');
        expect(d.errors).toEqual([expect.objectContaining({ code: 'division_by_zero', rule: 'r' })]);
      }
    });
  }
});

describe('comparisons the generated code leaves to the interpreter', () => {
  const untyped = (when: unknown) => compileMini({
    contract: { type: 'object', required: ['x', 'y', 'xs'], properties: { x: { type: ['string', 'number'] }, y: {}, xs: { type: 'array', items: {} } } },
    rules: { rules: [{ id: 'r', outcome: 'reject', when }] },
  });

  it('a reject rule on a member of no single type does not approve on the compiled path when the comparison fails', () => {
    const policy = untyped({ fact: 'proposal.x', operator: 'greaterThan', value: 5 });
    for (const d of both(policy, { x: 'abc', y: 1, xs: [] })) {
      expect(d.outcome).toBe('reject');
      expect(d.reasons.map((r) => [r.kind, r.rule])).toEqual([['error', 'r']]);
      expect(d.errors.map((e) => e.rule)).toEqual(['r']);
    }
  });

  it('a null untyped member is unknown on both paths, also under `not` and in a quantifier', () => {
    for (const when of [
      { fact: 'proposal.y', operator: 'equal', value: 5 },
      { not: { fact: 'proposal.y', operator: 'equal', value: 5 } },
      { any: [{ fact: 'proposal.y', operator: 'equal', value: 5 }, { fact: 'proposal.x', operator: 'equal', value: 'never' }] },
    ]) {
      const [compiled, interpreted] = both(untyped(when), { x: 1, y: null, xs: [] });
      expect(compiled).toEqual(interpreted);
      expect(compiled!.outcome).toBe('reject');
      expect(compiled!.reasons.map((r) => [r.kind, r.rule])).toEqual([['unknown', 'r']]);
    }
  });
});
