/** arbiter test --mutate: mistakes planted one at a time, and the ones the tests do not notice. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mutantsOf } from '../analysis/mutate/mutants.js';
import { compileDir } from '../cli/io.js';
import { arbiter, copyOfPack, PLANTED, ROOT } from './helpers/cli.js';

describe('arbiter test --mutate', () => {
  it('lists the mutants the planted suite lets survive, with file, line and change, and fails below --min-score', async () => {
    const r = await arbiter('test', '--dir', PLANTED, '--mutate', '--min-score', '80');
    expect(r.code).toBe(1);
    expect(r.out).toContain('11 passed, 0 failed');
    const lines = r.out.split('\n');
    expect(lines).toContain('  survived  rules/payout.yaml:38:55  payout.new_account: lessThan → lessThanInclusive');
    expect(lines).toContain('  survived  rules/payout.yaml:38:72  payout.new_account: 30 → 31');
    expect(lines).toContain('  survived  rules/payout.yaml:24:46  payout.large: greaterThan → greaterThanInclusive');
    // Killed mutants are not listed: the suite tries a new account and a flagged one.
    expect(r.out).not.toContain('payout.flagged: equal → notEqual');
    expect(lines).toContain('  survived  rules/payout.yaml:38:72  payout.new_account: 30 → 29');
    expect(r.out).toMatch(/^mutation testing: 42 mutants of the rules$/m);
    expect(r.out).toMatch(/^score 38\.1%: the tests notice 16 of 42; /m);
    expect(r.err).toBe('mutation score 38.1% is below --min-score 80%\n');
  });

  it('kills the survivors once the suite tries the boundary', async () => {
    const dir = copyOfPack(PLANTED);
    const file = join(dir, 'rules/payout.test.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}  - name: an account of exactly 30 days is not new
    context: { account: { age_days: 30 } }
    expect: { outcome: approve, fired: [] }
`);
    const r = await arbiter('test', '--dir', dir, '--mutate');
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('payout.new_account: lessThan → lessThanInclusive');
    expect(r.out).not.toContain('payout.new_account: 30 → 31');
    expect(r.out).toMatch(/^score 42\.9%: the tests notice 18 of 42; /m);
  });

  it('makes each kind of mutant, with its position in the original file', () => {
    const { result, files } = compileDir(PLANTED);
    if (!result.ok) throw new Error('planted pack does not compile');
    const m = mutantsOf(files, [...result.policy.actions.values()]);
    const changes = m.filter((x) => x.owner === 'payout.sanctioned_and_large').map((x) => `${x.loc.line}:${x.loc.col} ${x.change}`);
    expect(changes).toEqual([
      '14:14 review → shadow (not applied)', '17:11 drops a condition from `all`', '17:47 equal → notEqual', '18:11 drops a condition from `all`',
      '18:46 greaterThan → greaterThanInclusive', '18:66 1000 → 1001', '18:66 1000 → 999', '18:66 1000 → 1000.01', '18:66 1000 → 999.99',
    ]);
    expect(m.find((x) => x.change === 'reject → review')!.text).toContain('outcome: review');
  });

  it("runs on the bundled pack, which reaches the score docs/ci.md's workflow asks for and states", async () => {
    const doc = readFileSync(join(ROOT, 'docs/ci.md'), 'utf8');
    const bar = /run: npx arbiter test --mutate --min-score (\d+)/.exec(doc)![1]!;
    const stated = /The bundled pack scores ([\d.]+)% \(its cases notice (\d+) of (\d+) mutants\), so `--min-score (\d+)` passes/.exec(doc)!;
    const r = await arbiter('test', '--dir', ROOT, '--mutate', '--min-score', bar);
    expect(r.code, r.err).toBe(0);
    const score = /^score ([\d.]+)%: the tests notice (\d+) of (\d+)/m.exec(r.out);
    expect(score?.slice(1)).toEqual(stated.slice(1, 4));
    expect(stated[4]).toBe(bar);
    expect(Number(score![2])).toBeGreaterThan(100);
  });
});
