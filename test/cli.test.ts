import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { arbiter, copyOfPack, ROOT } from './helpers/cli.js';

describe('arbiter check', () => {
  it('passes on the bundled pack', async () => {
    const r = await arbiter('check', '--dir', ROOT);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok: 5 actions, 39 rules, revision sha256:[0-9a-f]{64}\n$/);
    expect(r.err).toBe('');
  });

  it('prints file:line:col, the code and a did-you-mean for a misspelt fact, and exits 1', async () => {
    const dir = copyOfPack();
    const file = join(dir, 'rules/refund_order.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{ fact: proposal.amount, operator: greaterThan, value: 500 }', '{ fact: proposal.amout, operator: greaterThan, value: 500 }'));
    const r = await arbiter('check', '--dir', dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe([
      'rules/refund_order.yaml:40:19: unknown_fact: rule `refund.large_needs_person` reads `proposal.amout`, which contract `refund_order@2` does not define',
      '  help: did you mean `proposal.amount`?',
      '1 error',
      '',
    ].join('\n'));
  });

  it('reports as JSON', async () => {
    const r = await arbiter('check', '--dir', ROOT, '--format', 'json');
    const body = JSON.parse(r.out) as { ok: boolean; revision: string; diagnostics: unknown[] };
    expect(body).toEqual({ ok: true, revision: expect.stringMatching(/^sha256:/), diagnostics: [] });
  });

  it('rejects an unknown flag as a usage error', async () => {
    const r = await arbiter('check', '--dri', '.');
    expect(r.code).toBe(2);
    expect(r.err).toContain("Unknown option '--dri'");
    expect(r.err).toContain('usage: arbiter check');
  });
});

describe('arbiter eval', () => {
  const proposal = join(ROOT, 'test/fixtures/refund-proposal.json');
  const context = join(ROOT, 'test/fixtures/refund-context.json');

  it('prints the decision as JSON with reasons, risk, trace and revision', async () => {
    const r = await arbiter('eval', '--dir', ROOT, '--action', 'refund_order', '--proposal', proposal, '--context', context, '--now', '2026-11-21T10:00:00Z');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out);
    expect(d.outcome).toBe('review');
    expect(d.reasons).toEqual([{ kind: 'rule', outcome: 'review', rule: 'refund.large_needs_person', message: 'refund of 650 EUR for a standard customer needs a person' }]);
    expect(d.risk).toEqual({ score: 40, tier: 'medium', signals: [{ id: 'most_of_order', points: 40, result: 'fired' }] });
    expect(d.revision).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(d.trace.level).toBe('summary');
    expect(d.trace.rules.map((x: { rule: string }) => x.rule)).toEqual(['refund.large_needs_person']);
  });

  it('draws every condition with the value it read under --explain full --format pretty', async () => {
    const r = await arbiter('eval', '--dir', ROOT, '--action', 'refund_order', '--proposal', proposal, '--context', context,
      '--now', '2026-11-21T10:00:00Z', '--explain', 'full', '--format', 'pretty');
    expect(r.code).toBe(0);
    expect(r.out).toContain('refund_order → REVIEW');
    expect(r.out).toContain('  ✓ refund.large_needs_person  [review] fired\n    └─ ✓ all\n       ├─ ✓ proposal.amount = 650  greaterThan 500\n       └─ ✓ context.customer.tier = "standard"  notEqual "premium"');
    expect(r.out).toContain('  ✗ refund.more_than_order_total  [reject] not fired\n    └─ ✗ proposal.amount = 650  greaterThan context.order.total = 720');
    expect(r.out).toContain('└─ · days_since_delivery  greaterThan 14  (not evaluated)');
    expect(r.out).toContain('  ✓ most_of_order  +40 fired\n    └─ ✓ all\n       ├─ ✓ context.order.total = 720  greaterThan 0\n       └─ ✓ refund_share = "0.9027777778…"  greaterThan 0.8');
  });

  it('names the unknown action', async () => {
    const r = await arbiter('eval', '--dir', ROOT, '--action', 'refund', '--proposal', proposal);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown_action: action `refund` is not defined');
  });
});

describe('arbiter test', () => {
  it('passes on the bundled pack with 100% rule coverage', async () => {
    const r = await arbiter('test', '--dir', ROOT, '--coverage', '--min-coverage', '100');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^90 passed, 0 failed$/m);
    expect(r.out).toContain('total: rules 56/56 (100.0%), branches 74/74 (100.0%), outcomes 15/15 (100.0%)');
  });

  it('fails with a diff and the trace when an expectation is wrong, and writes JUnit', async () => {
    const dir = copyOfPack();
    const file = join(dir, 'rules/refund_order.test.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('expect: { outcome: reject, fired: [ refund.currency_mismatch ]', 'expect: { outcome: review, fired: [ refund.currency_mismatch ]'));
    const junit = join(dir, 'junit.xml');
    const r = await arbiter('test', '--dir', dir, '--junit', junit);
    expect(r.code).toBe(1);
    expect(r.out).toContain('  ✗ a refund in another currency than the order is rejected  (rules/refund_order.test.yaml:28:5)\n      outcome: expected review, got reject\n      trace:');
    expect(r.out).toContain('✓ refund.currency_mismatch  [reject] fired');
    expect(r.out).toMatch(/^89 passed, 1 failed$/m);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuites name="arbiter" tests="90" failures="1">');
    expect(xml).toContain('<failure message="outcome: expected review, got reject">');
  });

  it('fails when rule coverage is below --min-coverage', async () => {
    const dir = copyOfPack();
    writeFileSync(join(dir, 'rules/tier_upgrade.test.yaml'), readFileSync(join(dir, 'rules/tier_upgrade.test.yaml'), 'utf8').split('  - name: frequent upgrades')[0]!);
    const r = await arbiter('test', '--dir', dir, '--min-coverage', '100');
    expect(r.code).toBe(1);
    expect(r.out).toContain('rules/tier_upgrade.yaml:50:9: rule `upgrade.frequent` never fires');
    expect(r.err).toMatch(/rule coverage 9\d\.\d% is below --min-coverage 100%/);
  });
});

describe('arbiter test on a malformed case', () => {
  it('a case without `expect` or `outcome` is a positioned missing_key, not a TypeError', async () => {
    const dir = copyOfPack();
    const file = join(dir, 'rules/tier_upgrade.test.yaml');
    const text = readFileSync(file, 'utf8')
      .replace('    expect: { outcome: approve, fired: [], reasons: [], risk_tier: low }\n', '')
      .replace('    expect:\n      outcome: reject\n      fired: [ upgrade.tier_mismatch ]', '    expect:\n      fired: [ upgrade.tier_mismatch ]');
    writeFileSync(file, text);
    const r = await arbiter('test', '--dir', dir);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toContain('rules/tier_upgrade.test.yaml:18:5: missing_key: a test case needs `expect`');
    expect(r.out + r.err).toContain('rules/tier_upgrade.test.yaml:23:7: missing_key: `expect` needs `outcome`');
  });
});

describe('arbiter contracts export', () => {
  it('refuses a zod 3 schema, or anything that is not a JSON Schema, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-export-'));
    const module = join(dir, 'contracts.mjs');
    const zod3 = pathToFileURL(join(ROOT, 'node_modules/zod/v3/index.js')).href;
    writeFileSync(module, `import { z } from ${JSON.stringify(zod3)};
export const contracts = [
  { id: 'fine', version: 1, schema: { type: 'object' } },
  { id: 'old', version: 1, schema: z.object({ a: z.string() }) },
];
`);
    const r = await arbiter('contracts', 'export', module, '--dir', dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain('contract `old@1`');
    expect(r.err).toContain('a zod 3 schema');
    expect(existsSync(join(dir, 'schemas'))).toBe(false);

    const invalid = join(dir, 'invalid.mjs');
    writeFileSync(invalid, `export const contracts = [{ id: 'bad', version: 1, schema: { type: 'object', properties: { a: { minimum: '0' } } } }];\n`);
    const again = await arbiter('contracts', 'export', invalid, '--dir', dir);
    expect(again.code).toBe(1);
    expect(again.err).toContain('contract `bad@1`');
    expect(again.err).toContain('is not a valid JSON Schema 2020-12 document');
    expect(existsSync(join(dir, 'schemas'))).toBe(false);
  });
});

describe('the installed binary', () => {
  it('runs check through dist/cli/bin.js and exits with its status', () => {
    const bin = join(ROOT, 'dist/cli/bin.js');
    expect(execFileSync(process.execPath, [bin, 'check', '--dir', ROOT], { encoding: 'utf8' })).toMatch(/^ok: 5 actions/);
    const bad = spawnSync(process.execPath, [bin, 'nope'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown command `nope`');
  });
});
