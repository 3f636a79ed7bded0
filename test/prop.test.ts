/** arbiter prop: generated inputs, built-in properties, invariants, counterexamples as test cases. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arbiter, copyOfPack, PLANTED, ROOT } from './helpers/cli.js';

const NOW = '2026-11-21T10:00:00Z';
const edit = (dir: string, file: string, from: string, to: string) => {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
};

describe('arbiter prop', () => {
  it('finds every property and invariant of the bundled pack holding', async () => {
    const r = await arbiter('prop', '--dir', ROOT, '--runs', '300', '--seed', '7', '--now', NOW);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const action of ['tier_upgrade', 'refund_order', 'send_external_email', 'modify_user_permissions', 'create_support_ticket']) {
      expect(r.out).toMatch(new RegExp(`^✓ ${action} +300 inputs`, 'm'));
    }
    expect(r.out).toMatch(/invariant never_more_than_was_paid [1-9]/);
    expect(r.out).toMatch(/^ok: 5 actions: 1,500 inputs, [\d,]+ cases in [\d.]+ s \([\d,]+ cases\/s\); seed 7, now 2026-11-21T10:00:00Z$/m);
  });

  it('finds the planted boundary bug and prints a test case that reproduces it', async () => {
    const r = await arbiter('prop', '--dir', PLANTED, '--runs', '2000', '--seed', '3', '--now', NOW);
    expect(r.code).toBe(1);
    expect(r.out).toContain('invariant large_payouts_see_a_person fails on generated input');
    expect(r.out).toContain('where its `when` holds, the outcome must never be approve; it was approve');
    expect(r.out).toContain(`reproduce: arbiter prop --dir ${PLANTED} --action payout --runs 2000 --seed 3 --now ${NOW}`);
    const snippet = r.out.slice(r.out.indexOf("  - name: 'found by arbiter prop"), r.out.lastIndexOf('\n1 of 1 actions failed'));
    expect(snippet).toMatch(/amount: 10000[,}]/);
    // Pasted into the test file, the case fails the way the invariant says it should not.
    const dir = copyOfPack(PLANTED);
    writeFileSync(join(dir, 'rules/payout.test.yaml'), `${readFileSync(join(dir, 'rules/payout.test.yaml'), 'utf8')}${snippet}\n`);
    const t = await arbiter('test', '--dir', dir);
    expect(t.code).toBe(1);
    expect(t.out).toMatch(/^ {2}✗ found by arbiter prop: invariant large_payouts_see_a_person {2}\(rules\/payout\.test\.yaml:\d+:5\)$/m);
    expect(t.out).toContain('outcome: expected review, got approve');
    expect(t.out).toContain('11 passed, 1 failed');
  });

  it('reports a rule or signal that fails on a valid input', async () => {
    const dir = copyOfPack();
    edit(dir, 'rules/refund_order.yaml', `      when:
        all:
          - { fact: context.order.total, operator: greaterThan, value: 0 }
          - { fact: refund_share, operator: greaterThan, value: 0.8 }`, '      when: { fact: refund_share, operator: greaterThan, value: 0.8 }');
    const r = await arbiter('prop', '--dir', dir, '--action', 'refund_order', '--runs', '2000', '--seed', '1', '--now', NOW);
    expect(r.code).toBe(1);
    expect(r.out).toContain('totality fails on generated input');
    expect(r.out).toContain('a valid input makes risk signal `most_of_order` fail (its points count, failing closed)');
    expect(r.out).toMatch(/context: \{order: \{total: 0/);
  });

  it('holds dropped optional members to fail-closed unless the invariant file exempts them', async () => {
    const dir = copyOfPack();
    edit(dir, 'rules/create_support_ticket.invariants.yaml', `fail_closed:
  exempt:
    - fact: proposal.due_at
      because: without a due date the ticket follows the SLA, so there is no date to check
`, '');
    const r = await arbiter('prop', '--dir', dir, '--action', 'create_support_ticket', '--runs', '1000', '--seed', '1', '--now', NOW);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/fail-closed fails on generated input \d+/);
    expect(r.out).toMatch(/dropping `proposal\.due_at` moved the outcome from (review to approve|reject to review|reject to approve)/);
  });

  it('reports mistakes in invariant files with their position', async () => {
    const dir = copyOfPack();
    writeFileSync(join(dir, 'rules/refund_order.invariants.yaml'), [
      'action: refund_order',
      'invariants:',
      '  - id: a',
      '    when: { fact: proposal.amout, operator: greaterThan, value: 1 }',
      '    never: approve',
      '  - id: b',
      '    monotonic: { fact: proposal.currency, stricter_as: increases }',
      '  - id: c',
      '    always: approve',
      '    never: reject',
      'fail_closed:',
      '  exempt:',
      '    - { fact: proposal.amount, because: x }',
      '',
    ].join('\n'));
    const r = await arbiter('prop', '--dir', dir, '--runs', '10');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe([
      "rules/refund_order.invariants.yaml:4:19: unknown_fact: invariant `a` reads `proposal.amout`, which contract `refund_order@2` does not define",
      '  help: did you mean `proposal.amount`?',
      'rules/refund_order.invariants.yaml:7:24: type_mismatch: invariant `b`: `monotonic` moves a number, instant or date member of the proposal or the context; `proposal.currency` is string',
      'rules/refund_order.invariants.yaml:8:5: invalid_value: invariant `c` needs exactly one of `always`, `never`, `monotonic`',
      'rules/refund_order.invariants.yaml:13:15: invalid_value: a fail-closed exemption names an optional member of the proposal or the context; `proposal.amount` is not one',
      '',
    ].join('\n'));
  });
});
