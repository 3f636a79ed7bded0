/** Side-effect classes drive defaults: financial and irreversible writes send medium risk and above to review unless the rule set routes risk itself. */
import { describe, expect, it } from 'vitest';
import { decide } from '../engine/index.js';
import { compileMini } from './helpers/policy.js';

const contract = { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } }, additionalProperties: false };
const rules = (route?: Record<string, string>) => ({
  rules: [{ id: 'never', outcome: 'reject', when: { fact: 'proposal.amount', operator: 'lessThan', value: 0 } }],
  risk: { signals: [{ id: 'big', points: 40, when: { fact: 'proposal.amount', operator: 'greaterThan', value: 100 } }, { id: 'huge', points: 30, when: { fact: 'proposal.amount', operator: 'greaterThan', value: 1000 } }], tiers: { medium: 30, high: 60 }, ...(route ? { route } : {}) },
});
const outcome = (sideEffects: string, amount: number, route?: Record<string, string>) => {
  const d = decide(compileMini({ contract, rules: rules(route), action: { side_effects: sideEffects } }), { action: 't', proposal: { amount }, now: '2026-11-21T10:00:00Z' });
  return [d.outcome, d.risk.tier, d.reasons.map((r) => r.message)];
};

describe('side-effect defaults', () => {
  it('routes medium and high risk to review for financial and irreversible_write actions that write no route', () => {
    for (const s of ['financial', 'irreversible_write']) {
      expect(outcome(s, 50)).toEqual(['approve', 'low', []]);
      expect(outcome(s, 500)).toEqual(['review', 'medium', ['risk score 40 is in tier `medium`, which routes to review']]);
      expect(outcome(s, 5000)).toEqual(['review', 'high', ['risk score 70 is in tier `high`, which routes to review']]);
    }
  });

  it('leaves the routing to a rule set that writes one, even an empty one, and to other side effects', () => {
    expect(outcome('financial', 500, { high: 'review' })).toEqual(['approve', 'medium', []]);
    expect(outcome('financial', 5000, {})).toEqual(['approve', 'high', []]);
    expect(outcome('reversible_write', 500)).toEqual(['approve', 'medium', []]);
    expect(outcome('external_message', 5000)).toEqual(['approve', 'high', []]);
  });
});
