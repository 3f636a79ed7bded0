/** The policy revision hashes what decides outcomes, and nothing else. */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../engine/index.js';
import { miniFiles } from './helpers/policy.js';

const contract = { type: 'object', additionalProperties: false, required: ['amount'], properties: { amount: { type: 'number' } } };

function revisionOf(rules: string): string {
  const r = compilePolicy(miniFiles({ contract, rules }));
  if (!r.ok) throw new Error('does not compile');
  return r.policy.revision;
}

const BLOCK = `rules:
  - id: big
    outcome: review
    description: large amounts
    when:
      fact: proposal.amount
      operator: greaterThan
      value: 500
`;

describe('revision', () => {
  it('ignores comments, layout, number spelling and descriptions', () => {
    const a = revisionOf(BLOCK);
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(revisionOf(`# a comment\nrules:\n  - { id: big, outcome: review, when: { fact: proposal.amount, operator: greaterThan, value: 500.0 } }   # trailing\n`)).toBe(a);
    expect(revisionOf(BLOCK.replace('large amounts', 'amounts over 500'))).toBe(a);
  });

  it('changes when anything functional changes', () => {
    const a = revisionOf(BLOCK);
    expect(revisionOf(BLOCK.replace('value: 500', 'value: 501'))).not.toBe(a);
    expect(revisionOf(BLOCK.replace('outcome: review', 'outcome: reject'))).not.toBe(a);
    expect(revisionOf(BLOCK.replace('greaterThan', 'greaterThanInclusive'))).not.toBe(a);
    expect(revisionOf(BLOCK.replace('id: big', 'id: large'))).not.toBe(a);
  });

  it('changes with the contract', () => {
    const a = revisionOf(BLOCK);
    const r = compilePolicy(miniFiles({ contract: { ...contract, properties: { amount: { type: 'number', maximum: 10000 } } }, rules: BLOCK }));
    expect(r.ok && r.policy.revision).not.toBe(a);
  });
});

describe('the compiled policy', () => {
  it('is frozen all the way down', () => {
    const r = compilePolicy(miniFiles({ contract, rules: BLOCK }));
    if (!r.ok) throw new Error('does not compile');
    const action = r.policy.actions.get('t')!;
    expect(Object.isFrozen(r.policy)).toBe(true);
    expect(Object.isFrozen(action)).toBe(true);
    expect(Object.isFrozen(action.rules)).toBe(true);
    expect(Object.isFrozen(action.rules[0]!.when)).toBe(true);
    expect(() => { (action.rules as unknown as unknown[]).push({}); }).toThrow(TypeError);
  });
});
