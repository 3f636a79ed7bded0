/**
 * Exceptions as data (engine/compile/exceptions.ts): an exception relaxes the rules it names, and
 * only those, where its condition holds and until it expires by the decision's `now`; it never
 * relaxes a rule that was unknown or failed, so it never turns an error into an approval; it shows
 * in the decision and the trace; the compiled path and the interpreter agree; and a name that is
 * no rule of the action is a compile error with a suggestion.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { compilePolicy, decide, formatDiagnostic, type CompiledPolicy } from '../engine/index.js';
import { loadPolicyFiles } from '../adapters/loaders/fs.js';
import { analyzeAction } from '../analysis/analyze/run.js';
import { compactTrace, expandTrace, fromPortable, toPortable } from '../engine/internal.js';
import { arbiter, copyOfPack, ROOT } from './helpers/cli.js';
import { miniFiles } from './helpers/policy.js';

const CONTRACT = {
  type: 'object', additionalProperties: false, required: ['customer', 'amount', 'total'],
  properties: { customer: { type: 'string' }, amount: { type: 'number' }, total: { type: 'number' }, limit: { type: 'number' } },
};
const RULES = {
  rules: [
    { id: 'refund.over_limit', outcome: 'reject', when: { fact: 'proposal.amount', operator: 'greaterThan', value: 500 }, reason: 'over the limit' },
    { id: 'refund.over_total', outcome: 'reject', when: { fact: 'proposal.amount', operator: 'greaterThan', value: { fact: 'proposal.total' } }, reason: 'over the total' },
    { id: 'refund.over_own_limit', outcome: 'review', when: { fact: 'proposal.amount', operator: 'greaterThan', value: { fact: 'proposal.limit' } }, reason: 'over its own limit' },
  ],
};
const EXPIRES = '2026-12-31T23:59:59Z';
const exception = (over: Record<string, unknown> = {}) => ({
  id: 'c19.large_refunds', relaxes: ['refund.over_limit', 'refund.over_own_limit'], when: { fact: 'proposal.customer', operator: 'equal', value: 'c-19' },
  expires: EXPIRES, owner: 'payments', granted_by: 'j.doe', ticket: 'FIN-221', reason: 'contract allows larger refunds this year', ...over,
});

function files(exceptions: object[]): Map<string, string> {
  return miniFiles({ contract: CONTRACT, rules: RULES, action: { exceptions: ['exceptions/t.yaml'] }, files: { 'exceptions/t.yaml': dump({ exceptions }) } });
}

function compiled(exceptions: object[]): CompiledPolicy {
  const r = compilePolicy(files(exceptions));
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.policy;
}

/** Decides with both evaluators, which must agree on everything; returns the compiled path's decision. */
function both(policy: CompiledPolicy, proposal: object, now = '2026-11-21T10:00:00Z') {
  const req = { action: 't', proposal, now, explain: 'full' as const };
  const a = decide(policy, req), b = decide(policy, req, { evaluator: 'interpreted' });
  expect(b).toEqual(a);
  expect(expandTrace(compactTrace(a.trace!))).toEqual(a.trace);
  return a;
}

describe('exceptions', () => {
  const policy = compiled([exception()]);

  it('relaxes the named rule where its condition holds, and says so in the decision and the trace', () => {
    const d = both(policy, { customer: 'c-19', amount: 600, total: 1000, limit: 5000 });
    expect(d.outcome).toBe('approve');
    expect(d.reasons).toEqual([]);
    expect(d.fired.enforce).toEqual(['refund.over_limit']);
    expect(d.exceptions).toEqual([{ id: 'c19.large_refunds', relaxed: ['refund.over_limit'], owner: 'payments', grantedBy: 'j.doe', ticket: 'FIN-221', expires: EXPIRES, reason: 'contract allows larger refunds this year' }]);
    expect(d.trace!.rules.find((r) => r.rule === 'refund.over_limit')).toMatchObject({ result: 'fired', relaxedBy: 'c19.large_refunds' });
    expect(d.trace!.exceptions).toMatchObject([{ exception: 'c19.large_refunds', result: 'applied', expires: EXPIRES }]);
  });

  it('does not apply where its condition does not hold', () => {
    const d = both(policy, { customer: 'c-20', amount: 600, total: 1000, limit: 5000 });
    expect(d.outcome).toBe('reject');
    expect(d.reasons.map((r) => [r.rule, r.message])).toEqual([['refund.over_limit', 'over the limit']]);
    expect(d).not.toHaveProperty('exceptions');
  });

  it('no longer applies from its expiry on, by the decision\'s now', () => {
    const before = both(policy, { customer: 'c-19', amount: 600, total: 1000, limit: 5000 }, '2026-12-31T23:59:58.999Z');
    expect(before.outcome).toBe('approve');
    for (const now of ['2026-12-31T23:59:59Z', '2027-01-15T00:00:00Z']) {
      const d = both(policy, { customer: 'c-19', amount: 600, total: 1000, limit: 5000 }, now);
      expect(d.outcome).toBe('reject');
      expect(d.reasons.map((r) => [r.rule, r.message])).toEqual([['refund.over_limit', 'over the limit']]);
      expect(d).not.toHaveProperty('exceptions');
      expect(d.trace!.exceptions).toMatchObject([{ exception: 'c19.large_refunds', result: 'expired' }]);
      expect(d.trace!.rules.find((r) => r.rule === 'refund.over_limit')).not.toHaveProperty('relaxedBy');
    }
  });

  it('cannot relax a rule it does not name', () => {
    const d = both(policy, { customer: 'c-19', amount: 1200, total: 1000, limit: 5000 });
    expect(d.outcome).toBe('reject');
    expect(d.reasons.map((r) => [r.rule, r.message])).toEqual([['refund.over_total', 'over the total']]);
    expect(d.exceptions).toEqual([expect.objectContaining({ id: 'c19.large_refunds', relaxed: ['refund.over_limit'] })]);
  });

  it('never relaxes a rule that could not be decided: an unknown stays a review, an error is never an approval', () => {
    // `limit` is missing: refund.over_own_limit is unknown, which the exception names but cannot relax.
    const unknown = both(policy, { customer: 'c-19', amount: 100, total: 1000 });
    expect(unknown.outcome).toBe('review');
    expect(unknown.reasons.map((r) => [r.kind, r.rule])).toEqual([['unknown', 'refund.over_own_limit']]);
    expect(unknown.exceptions).toEqual([expect.objectContaining({ relaxed: [] })]);
  });

  it('does not apply when its own condition is unknown', () => {
    const p = compiled([exception({ when: { fact: 'proposal.limit', operator: 'greaterThan', value: 0 } })]);
    const d = both(p, { customer: 'c-19', amount: 600, total: 1000 });
    expect(d.outcome).toBe('reject');
    expect(d.reasons.map((r) => [r.kind, r.rule])).toEqual([['rule', 'refund.over_limit'], ['unknown', 'refund.over_own_limit']]);
    expect(d.trace!.exceptions).toMatchObject([{ exception: 'c19.large_refunds', result: 'unknown' }]);
  });

  it('an evaluation failure is never relaxed: the decision fails closed', () => {
    const failing = { ...policy, actions: new Map([['t', { ...policy.actions.get('t')!, evaluate: () => { throw new Error('boom'); } }]]) } as CompiledPolicy;
    const d = decide(failing, { action: 't', proposal: { customer: 'c-19', amount: 600, total: 1000, limit: 5000 }, now: '2026-11-21T10:00:00Z' });
    expect(d.outcome).toBe('review');
    expect(d.errors.map((e) => e.code)).toEqual(['internal_error']);
    expect(d).not.toHaveProperty('exceptions');
  });

  it('changes the revision, so the decision names the policy it applied under', () => {
    const without = compilePolicy(miniFiles({ contract: CONTRACT, rules: RULES }));
    expect(without.ok && without.policy.revision).not.toBe(policy.revision);
    expect(compiled([exception({ expires: '2027-01-31T00:00:00Z' })]).revision).not.toBe(policy.revision);
  });

  it('naming no rule of the action is a compile error, with the nearest id', () => {
    const r = compilePolicy(files([exception({ relaxes: ['refund.over_limt', 'refund.gone_entirely'] })]));
    expect(r.ok).toBe(false);
    expect(r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([
      'exceptions/t.yaml:4:9: unknown_rule: exception `c19.large_refunds` relaxes rule `refund.over_limt`, which action `t` does not define\n  help: did you mean `refund.over_limit`?',
      'exceptions/t.yaml:5:9: unknown_rule: exception `c19.large_refunds` relaxes rule `refund.gone_entirely`, which action `t` does not define\n  help: the rules of `t` are `refund.over_limit`, `refund.over_total`, `refund.over_own_limit`',
    ]);
  });

  it('an exception without an expiry, an owner or a ticket, or with an expiry that is no instant, does not compile', () => {
    const open = Object.fromEntries(Object.entries(exception()).filter(([k]) => !['expires', 'owner', 'ticket'].includes(k)));
    const r = compilePolicy(files([open]));
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.message])).toEqual([
      ['missing_key', 'an exception needs `expires`'], ['missing_key', 'an exception needs `owner`'], ['missing_key', 'an exception needs `ticket`'],
    ]);
    const bad = compilePolicy(files([exception({ expires: 'end of year' })]));
    expect(bad.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.message])).toEqual([
      ['invalid_literal', 'exception `c19.large_refunds` expires at `end of year`, which is not an RFC 3339 date-time'],
    ]);
  });

  it('decides alike after crossing to the serving thread, as a reload sends it', () => {
    const sent = fromPortable(structuredClone(toPortable(policy)));
    for (const proposal of [{ customer: 'c-19', amount: 600, total: 1000, limit: 5000 }, { customer: 'c-20', amount: 600, total: 1000, limit: 5000 }]) {
      const req = { action: 't', proposal, now: '2026-11-21T10:00:00Z', explain: 'full' as const };
      expect(decide(sent, req)).toEqual(decide(policy, req));
    }
  });

  it('analyze reports an exception that can never apply: expired, unsatisfiable, or nowhere its rule fires', () => {
    const p = compiled([
      exception(),
      exception({ id: 'x.expired', expires: '2026-01-01T00:00:00Z' }),
      exception({ id: 'x.never', when: { all: [{ fact: 'proposal.amount', operator: 'lessThan', value: 10 }, { fact: 'proposal.amount', operator: 'greaterThan', value: 20 }] } }),
      exception({ id: 'x.disjoint', relaxes: ['refund.over_limit'], when: { fact: 'proposal.amount', operator: 'lessThan', value: 100 } }),
    ]);
    const { findings } = analyzeAction(p.actions.get('t')!, { samples: 50, seed: 1, now: '2026-11-21T10:00:00Z', listed: 20 });
    expect(findings.filter((f) => f.kind === 'exception_never_applies').map((f) => [f.severity, f.rule, f.message])).toEqual([
      ['warning', 'x.expired', 'exception `x.expired` expired at 2026-01-01T00:00:00Z, before 2026-11-21T10:00:00Z'],
      ['warning', 'x.never', 'exception `x.never` can never apply: no input satisfies its condition'],
      ['warning', 'x.disjoint', 'exception `x.disjoint` can never apply: its condition holds on no input where `refund.over_limit` fires'],
    ]);
  });
});

describe('the exceptions example of docs/rules.md', () => {
  it('compiles into the bundled pack and relaxes the large-refund review for its order only', () => {
    const doc = readFileSync(join(ROOT, 'docs/rules.md'), 'utf8');
    const block = /<!-- exceptions example: refund_order[^\n]*-->\n```yaml\n([\s\S]*?)```/.exec(doc);
    expect(block).not.toBeNull();
    const files = loadPolicyFiles(ROOT);
    const registry = files.get('rules.registry.yaml')!;
    expect(registry).toContain('    rules: [ rules/refund_order.yaml ]\n');
    files.set('rules.registry.yaml', registry.replace('    rules: [ rules/refund_order.yaml ]\n', '    rules: [ rules/refund_order.yaml ]\n    exceptions: [ exceptions/refund_order.yaml ]\n'));
    files.set('exceptions/refund_order.yaml', block![1]!);
    const r = compilePolicy(files);
    expect(r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    const policy = (r as { policy: CompiledPolicy }).policy;
    const request = (order: string, now: string, deliveredAt = '2026-11-10T15:30:00Z') => ({
      action: 'refund_order', now,
      proposal: { proposal_id: '9b2d6c1e-3f4a-4b5c-8d7e-6f8091a2b3c4', order_id: order, amount: 600, currency: 'EUR', reason: 'damaged', refund_method: 'original_payment' },
      context: {
        order: { total: 1000, currency: 'EUR', status: 'delivered', placed_at: '2026-11-01T12:00:00Z', delivered_at: deliveredAt },
        customer: { tier: 'standard', account_age_days: 400, prior_refunds_90d: 0, refunded_total_90d: '0' },
      },
    });
    const granted = decide(policy, request('o-8812', '2026-11-21T10:00:00Z'));
    expect([granted.outcome, granted.fired.enforce, granted.exceptions?.map((x) => [x.id, x.relaxed, x.ticket])])
      .toEqual(['approve', ['refund.large_needs_person'], [['refund.o8812_above_limit', ['refund.large_needs_person'], 'FIN-221']]]);
    const other = decide(policy, request('o-9000', '2026-11-21T10:00:00Z'));
    expect([other.outcome, other.reasons.map((x) => x.rule)]).toEqual(['review', ['refund.large_needs_person']]);
    const later = decide(policy, request('o-8812', '2027-01-01T00:00:00Z', '2026-12-28T10:00:00Z'));
    expect([later.outcome, later.reasons.map((x) => x.rule), later.exceptions]).toEqual(['review', ['refund.large_needs_person'], undefined]);
  });
});

describe('arbiter check and analyze on exceptions', () => {
  it('check rejects an exception that names no rule, with the nearest id; analyze warns of an expired one', async () => {
    const dir = copyOfPack();
    const registry = join(dir, 'rules.registry.yaml');
    writeFileSync(registry, readFileSync(registry, 'utf8').replace('    rules: [ rules/refund_order.yaml ]\n', '    rules: [ rules/refund_order.yaml ]\n    exceptions: [ exceptions/refund_order.yaml ]\n'));
    mkdirSync(join(dir, 'exceptions'));
    const write = (x: object) => writeFileSync(join(dir, 'exceptions/refund_order.yaml'), dump({ exceptions: [{ ...exception(), when: { fact: 'proposal.order_id', operator: 'equal', value: 'o-8812' }, ...x }] }));
    write({ relaxes: ['refund.large_need_person'] });
    const checked = await arbiter('check', '--dir', dir);
    expect(checked.code).toBe(1);
    expect(checked.out + checked.err).toContain('exceptions/refund_order.yaml:4:9: unknown_rule: exception `c19.large_refunds` relaxes rule `refund.large_need_person`, which action `refund_order` does not define\n  help: did you mean `refund.large_needs_person`?');
    write({ relaxes: ['refund.large_needs_person'], expires: '2026-01-01T00:00:00Z' });
    expect((await arbiter('check', '--dir', dir)).code).toBe(0);
    const analyzed = await arbiter('analyze', '--dir', dir, '--now', '2026-11-21T10:00:00Z');
    expect(analyzed.out + analyzed.err).toContain('exception_never_applies: exception `c19.large_refunds` expired at 2026-01-01T00:00:00Z, before 2026-11-21T10:00:00Z');
  });
});
