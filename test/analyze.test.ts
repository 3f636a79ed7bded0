/**
 * arbiter analyze: the planted mistakes are found, the bundled pack is clean, and on small random
 * rule sets every exact claim agrees with checking every possible input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeAction, type Finding } from '../analysis/analyze/run.js';
import { conditionStatus } from '../engine/decide/decide.js';
import { F, T } from '../engine/eval/runtime.js';
import { SEVERITY } from '../engine/decide/types.js';
import { arbiter, PLANTED, ROOT } from './helpers/cli.js';
import { compileMini } from './helpers/policy.js';

const NOW = '2026-11-21T10:00:00Z';

describe('arbiter analyze', () => {
  it('finds the rule that can never fire and the shadowed rule in the planted pack, and exits 1', async () => {
    const r = await arbiter('analyze', '--dir', PLANTED, '--seed', '1', '--now', NOW);
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines).toContain('rules/payout.yaml:27:9: error: never_fires: rule `payout.mid_size_unverified` can never fire: `proposal.amount` cannot be greaterThan 5000 and lessThan 1000 at once (the contract allows [0.01, 100000])');
    expect(lines).toContain('rules/payout.yaml:13:9: warning: shadowed: rule `payout.sanctioned_and_large` (review) is shadowed: whenever it fires, `payout.sanctioned_country` (reject) fires too, so it never changes an outcome');
    expect(r.out).toMatch(/^action `payout`: info: gap: no rule fires on some inputs of this financial action/m);
    expect(r.out).toMatch(/^analyze failed: 1 error, 1 warning, 1 note in 1 action \([\d.]+ s; seed 1\)$/m);
  });

  it('reports as JSON, and --fail-on sets the severity that fails', async () => {
    const r = await arbiter('analyze', '--dir', PLANTED, '--seed', '1', '--now', NOW, '--format', 'json', '--fail-on', 'info');
    expect(r.code).toBe(1);
    const body = JSON.parse(r.out) as { ok: boolean; findings: Finding[]; summary: Record<string, number> };
    expect(body.ok).toBe(false);
    expect(body.summary).toEqual({ errors: 1, warnings: 1, infos: 1, unlistedOverlaps: 0 });
    expect(body.findings.find((f) => f.kind === 'shadowed')).toMatchObject({
      action: 'payout', severity: 'warning', rule: 'payout.sanctioned_and_large', related: ['payout.sanctioned_country'], method: 'exact',
      loc: { file: 'rules/payout.yaml', line: 13, col: 9 },
    });
    expect((await arbiter('analyze', '--dir', ROOT, '--seed', '1', '--now', NOW, '--fail-on', 'warning')).code).toBe(0);
  });

  it('finds no error or warning in the bundled pack, and notes the gaps of its high-risk actions', async () => {
    const r = await arbiter('analyze', '--dir', ROOT, '--seed', '1', '--now', NOW);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/: (error|warning): /);
    for (const action of ['tier_upgrade', 'refund_order', 'send_external_email', 'modify_user_permissions']) {
      expect(r.out).toMatch(new RegExp(`^action \`${action}\`: info: gap: `, 'm'));
    }
    expect(r.out).not.toContain('action `create_support_ticket`: info: gap');
  });

  it('falls back to sampling where a condition is outside the exact fragment, and says so', () => {
    const policy = compileMini({
      contract: { type: 'object', required: ['note'], properties: { note: { type: 'string', maxLength: 5 } } },
      rules: { rules: [{ id: 'long', outcome: 'review', when: { fact: 'proposal.note', operator: 'matches', value: '/^.{6,}$/' } }] },
    });
    const { findings } = analyzeAction(policy.actions.get('t')!, { samples: 300, seed: 1, now: NOW, listed: 20 });
    expect(findings).toEqual([expect.objectContaining({
      kind: 'never_fires', severity: 'warning', method: 'sampled', rule: 'long',
      message: 'rule `long` did not fire on any of 300 generated inputs; it reads a regular expression, which was sampled, not proven',
    })]);
  });
});

describe('exact claims agree with checking every input', () => {
  const CONTRACT = {
    type: 'object', additionalProperties: false, required: ['a', 'b', 'c'],
    properties: {
      a: { type: 'integer', minimum: 0, maximum: 5 },
      b: { type: 'string', enum: ['x', 'y', 'z'] },
      c: { type: 'boolean' },
      d: { type: 'integer', minimum: 0, maximum: 3 },
    },
  };
  const INPUTS = [0, 1, 2, 3, 4, 5].flatMap((a) => ['x', 'y', 'z'].flatMap((b) => [true, false].flatMap((c) =>
    [undefined, 0, 1, 2, 3].map((d) => ({ a, b, c, ...(d === undefined ? {} : { d }) })))));
  const leaf = fc.oneof(
    fc.tuple(fc.constantFrom('proposal.a', 'proposal.d'), fc.constantFrom('lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive', 'equal', 'notEqual'), fc.integer({ min: -1, max: 6 }))
      .map(([fact, operator, value]) => ({ fact, operator, value })),
    fc.tuple(fc.constantFrom('proposal.a', 'proposal.d'), fc.constantFrom('in', 'notIn'), fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 }))
      .map(([fact, operator, value]) => ({ fact, operator, value })),
    fc.tuple(fc.constantFrom('equal', 'notEqual', 'in', 'notIn'), fc.constantFrom('x', 'y', 'z')).map(([operator, v]) => ({ fact: 'proposal.b', operator, value: operator.endsWith('In') || operator === 'in' ? [v] : v })),
    fc.boolean().map((value) => ({ fact: 'proposal.c', operator: 'equal', value })),
    fc.constantFrom('exists', 'missing').map((operator) => ({ fact: 'proposal.d', operator })),
  );
  const { cond } = fc.letrec<{ cond: object }>((tie) => ({
    cond: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
      fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })), tie('cond').map((not) => ({ not }))),
  }));

  it('never_fires, always_fires, shadowed and overlap', () => {
    let claims = 0;
    fc.assert(fc.property(fc.array(fc.tuple(cond, fc.constantFrom('reject', 'review')), { minLength: 1, maxLength: 5 }), (rules) => {
      const policy = compileMini({ contract: CONTRACT, rules: { rules: rules.map(([when, outcome], i) => ({ id: `r${i}`, outcome, when })) } });
      const action = policy.actions.get('t')!;
      const statuses = INPUTS.map((p) => conditionStatus(action, action.rules.map((r) => r.when), { proposal: p, now: NOW }));
      const fired = statuses.map((row) => row.map((s) => s === T));
      const { findings } = analyzeAction(action, { samples: 50, seed: 1, now: NOW, listed: 1000 });
      const index = (id: string) => action.rules.findIndex((r) => r.id === id);
      for (const f of findings.filter((x) => x.method === 'exact')) {
        claims++;
        const i = f.rule ? index(f.rule) : -1;
        if (f.kind === 'never_fires') expect(fired.some((row) => row[i]), f.message).toBe(false);
        if (f.kind === 'shadowed') for (const row of fired) if (row[i]) expect(f.related!.some((a) => row[index(a)]), f.message).toBe(true);
        if (f.kind === 'overlap') expect(fired.some((row) => row[i] && row[index(f.related![0]!)]), f.message).toBe(true);
        if (f.kind === 'always_fires') expect(statuses.every((row) => row[i] !== F), f.message).toBe(true);
      }
      // And the converse: a rule that no input fires is reported.
      action.rules.forEach((r, i) => {
        if (!fired.some((row) => row[i])) expect(findings.some((f) => f.kind === 'never_fires' && f.rule === r.id), `rule ${r.id} never fires`).toBe(true);
      });
      // Shadowing by one stronger rule is found whenever it holds.
      action.rules.forEach((b, i) => {
        if (!fired.some((row) => row[i])) return;
        const cover = action.rules.find((a, j) => j !== i && SEVERITY[a.outcome] >= SEVERITY[b.outcome] && fired.every((row) => !row[i] || row[j]));
        if (cover) expect(findings.some((f) => f.kind === 'shadowed' && f.rule === b.id), `${b.id} is covered by ${cover.id}`).toBe(true);
      });
    }), { numRuns: 150, seed: 5 });
    expect(claims).toBeGreaterThan(100);
  });
});
