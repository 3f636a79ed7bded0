/** `--format json` and `--format github` of check, test, prop and analyze: what CI reads. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { annotation } from '../cli/github.js';
import { arbiter, copyOfPack, PLANTED, ROOT } from './helpers/cli.js';

const annotations = (out: string) => out.split('\n').filter((l) => l.startsWith('::'));
const NOW = '2026-11-21T10:00:00Z';

describe('workflow-command annotations', () => {
  it('escape what the runner would otherwise read as syntax', () => {
    expect(annotation('error', '50% of\nit', { loc: { file: 'rules/a,b.yaml', line: 3, col: 4 }, title: 'x: y' }))
      .toBe('::error file=rules/a%2Cb.yaml,line=3,col=4,title=x%3A y::50%25 of%0Ait');
    expect(annotation('notice', 'plain', {})).toBe('::notice::plain');
  });
});

describe('arbiter check', () => {
  it('--format github puts each diagnostic, with its help, on its file and line', async () => {
    const dir = copyOfPack();
    const file = join(dir, 'rules/refund_order.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{ fact: proposal.amount, operator: greaterThan, value: 500 }', '{ fact: proposal.amout, operator: greaterThan, value: 500 }'));
    const r = await arbiter('check', '--dir', dir, '--format', 'github');
    expect(r.code).toBe(1);
    expect(annotations(r.out)).toEqual(['::error file=rules/refund_order.yaml,line=40,col=19,title=unknown_fact::rule `refund.large_needs_person` reads `proposal.amout`, which contract `refund_order@2` does not define%0Ahelp: did you mean `proposal.amount`?']);
    expect(r.err).toBe('1 error\n');
  });
});

describe('arbiter test', () => {
  it('--format json reports every case and the coverage', async () => {
    const r = await arbiter('test', '--dir', ROOT, '--format', 'json');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out) as { ok: boolean; passed: number; failed: number; cases: { file: string; line: number; passed: boolean }[]; coverage: { rules: { pct: number } }; problems: string[] };
    expect(body).toMatchObject({ ok: true, passed: 90, failed: 0, coverage: { rules: { covered: 56, total: 56, pct: 100 } }, problems: [] });
    expect(body.cases).toHaveLength(90);
    expect(body.cases[0]).toEqual({ file: 'rules/create_support_ticket.test.yaml', name: expect.any(String), line: expect.any(Number), col: 5, passed: true, failures: [] });
  });

  it('--format github annotates a failing case on its line', async () => {
    const dir = copyOfPack();
    const file = join(dir, 'rules/refund_order.test.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('expect: { outcome: reject, fired: [ refund.currency_mismatch ]', 'expect: { outcome: review, fired: [ refund.currency_mismatch ]'));
    const r = await arbiter('test', '--dir', dir, '--format', 'github');
    expect(r.code).toBe(1);
    expect(r.out).toContain('89 passed, 1 failed');
    expect(annotations(r.out)).toEqual([expect.stringMatching(/^::error file=rules\/refund_order\.test\.yaml,line=28,col=5,title=test case failed%3A a refund in another currency than the order is rejected::outcome: expected review, got reject/)]);
  });

  it('--format json with --mutate gives the score and the survivors', async () => {
    const r = await arbiter('test', '--dir', PLANTED, '--mutate', '--min-score', '80', '--format', 'json');
    expect(r.code).toBe(1);
    const body = JSON.parse(r.out) as { ok: boolean; mutation: { score: number; killed: number; survived: number; survivors: { file: string; line: number; col: number; change: string }[] }; problems: string[] };
    expect(body.ok).toBe(false);
    expect(body.mutation).toMatchObject({ killed: 16, survived: 26 });
    expect(body.mutation.survivors).toContainEqual({ file: 'rules/payout.yaml', line: 38, col: 72, owner: 'payout.new_account', change: '30 → 31' });
    expect(body.problems).toEqual(['mutation score 38.1% is below --min-score 80%']);
  });
});

describe('arbiter prop and analyze on the planted pack', () => {
  it('prop --format github annotates the broken invariant where it is declared', async () => {
    const r = await arbiter('prop', '--dir', PLANTED, '--runs', '2000', '--seed', '3', '--now', NOW, '--format', 'github');
    expect(r.code).toBe(1);
    expect(annotations(r.out)).toEqual([`::error file=rules/payout.invariants.yaml,line=4,col=5,title=arbiter prop%3A invariant large_payouts_see_a_person::payout: where its \`when\` holds, the outcome must never be approve; it was approve%0Areproduce: arbiter prop --dir ${PLANTED} --action payout --runs 2000 --seed 3 --now ${NOW}`]);
  });

  it('prop --format json names the failing property and how to reproduce it', async () => {
    const r = await arbiter('prop', '--dir', PLANTED, '--runs', '2000', '--seed', '3', '--now', NOW, '--format', 'json');
    expect(r.code).toBe(1);
    const body = JSON.parse(r.out) as { ok: boolean; seed: number; actions: { action: string; failure?: { property: string; reproduce: string } }[] };
    expect(body).toMatchObject({ ok: false, seed: 3, now: NOW });
    expect(body.actions.map((a) => [a.action, a.failure?.property])).toEqual([['payout', 'invariant large_payouts_see_a_person']]);
    expect(body.actions[0]!.failure!.reproduce).toBe(`arbiter prop --dir ${PLANTED} --action payout --runs 2000 --seed 3 --now ${NOW}`);
  });

  it('analyze --format github gives each finding its level, kind and place', async () => {
    const r = await arbiter('analyze', '--dir', PLANTED, '--seed', '1', '--now', NOW, '--format', 'github');
    expect(r.code).toBe(1);
    expect(annotations(r.out).map((l) => l.slice(0, l.indexOf('::', 2)))).toEqual([
      '::error file=rules/payout.yaml,line=27,col=9,title=never_fires',
      '::warning file=rules/payout.yaml,line=13,col=9,title=shadowed',
      '::notice title=gap',
    ]);
    expect(r.out).toContain('analyze failed: 1 error, 1 warning, 1 note in 1 action');
  });
});
