/**
 * How contracts that combine subschemas are typed (allOf, anyOf/oneOf, if/then/else), how a
 * member typed by a discriminator narrows beside a test of it, and that it narrows nowhere else.
 * Decisions on such members are conformance cases (test/conformance/discriminated-*.yaml) and
 * generated cases in differential-errors.test.ts; errors are in test/compile-errors/.
 */
import { describe as group, expect, it } from 'vitest';
import { resolvePath, schemaSlot, type PathStep } from '../engine/contracts/shape.js';
import { describe, type Slot } from '../engine/contracts/types.js';
import { compilePolicy, decide, formatDiagnostic } from '../engine/index.js';
import { miniFiles } from './helpers/policy.js';

const member = (schema: object, path: PathStep[], known?: Record<string, string[]>): string => {
  const r = resolvePath(schemaSlot(schema), path, known && ((steps) => known[steps.join('.')]));
  if (!r.ok) throw new Error(`no ${path.join('.')}`);
  return `${describe(r.slot.type)}${r.slot.optional ? '?' : ''}${r.narrowed ? ' (narrowed)' : ''}`;
};

const object = (properties: object, more: object = {}) => ({ type: 'object', properties, ...more });

group('reading combined subschemas', () => {
  it('merges allOf members, through $ref, keeping every constraint they give', () => {
    const schema = {
      allOf: [{ $ref: '#/$defs/base' }, object({ note: { type: 'string' }, amount: { minimum: 0 } }, { required: ['note'] })],
      $defs: { base: object({ amount: { type: 'string', format: 'decimal' } }, { required: ['amount'] }) },
    };
    expect(member(schema, ['amount'])).toBe('decimal');
    expect(member(schema, ['note'])).toBe('string');
  });

  it('reads a $ref together with the combining keywords beside it', () => {
    const schema = { $ref: '#/$defs/base', oneOf: [object({ kind: { const: 'a' }, v: { type: 'number' } }), object({ kind: { const: 'b' }, v: { type: 'string' } })],
      $defs: { base: object({ kind: { type: 'string' }, id: { type: 'string' } }, { required: ['kind', 'id'] }) } };
    expect(member(schema, ['id'])).toBe('string');
    expect(member(schema, ['v'], { kind: ['a'] })).toBe('number? (narrowed)');
  });

  it('joins anyOf branches of one kind, and keeps a union of several kinds', () => {
    expect(member(object({ v: { anyOf: [{ type: 'string', enum: ['a'] }, { type: 'string', enum: ['b'] }] } }), ['v'])).toBe('string?');
    expect(member(object({ v: { anyOf: [{ type: 'number' }, { type: 'string', format: 'decimal' }] } }), ['v'])).toBe('decimal?');
    expect(member(object({ v: { oneOf: [{ type: 'string', format: 'date' }, { type: 'integer' }] } }), ['v'])).toBe('date or integer?');
    // The nullable idiom stays what it was: the type, optional.
    expect(member(object({ v: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] } }, { required: ['v'] }), ['v'])).toBe('instant?');
  });

  it('types the members of oneOf branches by a const discriminator, joined until it is tested', () => {
    const schema = object({}, {
      required: ['kind'],
      oneOf: [object({ kind: { const: 'card' }, last4: { type: 'string' } }, { required: ['last4'] }), object({ kind: { const: 'iban' }, last4: { type: 'integer' } })],
    });
    expect(member(schema, ['kind'])).toBe('string');
    expect(member(schema, ['last4'])).toBe('string or integer?');
    expect(member(schema, ['last4'], { kind: ['card'] })).toBe('string (narrowed)');
    expect(member(schema, ['last4'], { kind: ['iban'] })).toBe('integer? (narrowed)');
  });

  it('takes for the discriminator the member whose values tell the branches apart, not one they all list alike', () => {
    const schema = object({ currency: { type: 'string', enum: ['EUR', 'USD'] } }, {
      required: ['kind', 'currency'],
      anyOf: [object({ kind: { const: 'card' }, ref: { type: 'string' } }), object({ kind: { const: 'iban' }, ref: { type: 'integer' } })],
    });
    expect(member(schema, ['ref'], { kind: ['iban'] })).toBe('integer? (narrowed)');
    expect(member(schema, ['ref'], { currency: ['EUR'] })).toBe('string or integer?');
  });

  it('types by if/then/else on a required member, with a case for values no `if` lists', () => {
    const schema = object({ field: { type: 'string' }, value: { type: 'string' } }, {
      required: ['field', 'value'],
      if: { properties: { field: { const: 'due_date' } } }, then: { properties: { value: { type: 'string', format: 'date' } } },
      else: { properties: { value: { type: 'string', format: 'decimal' } } },
    });
    expect(member(schema, ['value'])).toBe('date or decimal');
    expect(member(schema, ['value'], { field: ['due_date'] })).toBe('date (narrowed)');
    expect(member(schema, ['value'], { field: ['anything else'] })).toBe('decimal (narrowed)');
  });

  it('leaves out conditionals on an optional member, which only widens the type', () => {
    const schema = object({ field: { type: 'string', enum: ['a', 'b'] }, value: { type: 'string' } }, {
      if: { properties: { field: { const: 'a' } } }, then: { properties: { value: { type: 'string', format: 'date' } } },
    });
    expect(member(schema, ['value'])).toBe('string?');
    expect(member(schema, ['value'], { field: ['a'] })).toBe('string?');
  });

  it('narrows members nested inside a case', () => {
    const schema = object({}, {
      required: ['kind', 'detail'],
      oneOf: [object({ kind: { const: 'refund' }, detail: object({ amount: { type: 'number' } }) }), object({ kind: { const: 'note' }, detail: object({ amount: { type: 'string' } }) })],
    });
    expect(member(schema, ['detail', 'amount'])).toBe('number or string?');
    expect(member(schema, ['detail', 'amount'], { kind: ['refund'] })).toBe('number? (narrowed)');
  });
});

const CLAIM = {
  type: 'object', additionalProperties: false, required: ['field', 'value'],
  properties: { field: { type: 'string', enum: ['due_date', 'total'] }, value: { type: 'string' }, note: { type: 'string' } },
  oneOf: [
    { properties: { field: { const: 'due_date' }, value: { type: 'string', format: 'date' } } },
    { properties: { field: { const: 'total' }, value: { type: 'string', format: 'decimal' } } },
  ],
};

// A fresh copy of each condition: YAML would write a shared object as an alias.
const compile = (when: object) => compilePolicy(miniFiles({ contract: CLAIM, rules: { rules: [{ id: 'r', outcome: 'reject', when: JSON.parse(JSON.stringify(when)) as object }] } }));
const dateTest = { fact: 'proposal.field', operator: 'equal', value: 'due_date' };
const overdue = { fact: 'proposal.value', operator: 'lessThan', value: { fact: 'today' } };

group('narrowing beside a test of the discriminator', () => {
  it('applies to the siblings of the test in an `all`, before or after it, and to what is nested in them', () => {
    for (const when of [
      { all: [dateTest, overdue] },
      { all: [overdue, dateTest] },
      { all: [dateTest, { any: [overdue, { not: overdue }] }] },
      { all: [{ fact: 'field', operator: 'in', value: ['due_date'] }, { fact: 'value', operator: 'lessThan', value: { fact: 'today' } }] },
      { all: [{ fact: 'proposal', path: '$.field', operator: 'equal', value: 'due_date' }, { fact: 'proposal', path: '$.value', operator: 'lessThan', value: { fact: 'today' } }] },
    ]) {
      const r = compile(when);
      expect(r.diagnostics.map(formatDiagnostic), JSON.stringify(when)).toEqual([]);
    }
  });

  it('does not apply where the test may be false: beside it in an `any`, or under a `not`', () => {
    for (const when of [{ any: [dateTest, overdue] }, { all: [{ not: dateTest }, overdue] }, { all: [{ any: [dateTest] }, overdue] }, overdue]) {
      expect(compile(when).diagnostics.map((d) => d.code), JSON.stringify(when)).toEqual(['type_mismatch']);
    }
  });

  it('reads the real value: where the test is false, another case\'s value in the comparison changes nothing', () => {
    const r = compile({ all: [{ fact: 'proposal.note', operator: 'exists' }, { any: [{ all: [dateTest, overdue] }, { fact: 'proposal.note', operator: 'equal', value: 'x' }] }] });
    if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
    for (const evaluator of ['compiled', 'interpreted'] as const) {
      const d = decide(r.policy, { action: 't', proposal: { field: 'total', value: '12.50', note: 'y' }, now: '2026-11-21T10:00:00Z' }, { evaluator });
      expect(d.outcome).toBe('approve');
      expect(d.errors).toEqual([]);
    }
  });
});

it('keeps member slots of plain contracts as they were', () => {
  const slot: Slot = schemaSlot(object({ a: { type: 'integer', minimum: 1 } }, { required: ['a'] }));
  expect(slot.type.kind === 'object' && slot.type.props.get('a')).toEqual({ type: { kind: 'number', integer: true, min: { value: 1, exclusive: false } }, optional: false });
});
