/**
 * The packed package works in an empty directory, following the README: install the tarball, `npx
 * arbiter init`, the policy checks, and `arbiter serve` deciding one proposal. Installing builds
 * better-sqlite3 and takes minutes, so this runs only with ARBITER_PACKAGE_TEST=1 (`.ci/run` sets it).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { started } from '../bench/http/spawn.js';
import { ROOT } from './helpers/cli.js';

const ENABLED = process.env.ARBITER_PACKAGE_TEST === '1';
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

/** The README's install block, from `mkdir` on, with the tarball's real path and without the blocking `serve`. */
function readmeSteps(tarball: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /## Install in a policy repository[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)![1]!;
  const lines = block.split('\n').map((l) => l.replace(/\s+#.*$/, '')).filter((l) => l && !l.startsWith('npm pack') && !l.startsWith('npx arbiter serve'));
  return lines.join('\n').replace(`/path/to/${pkg.name}-${pkg.version}.tgz`, tarball);
}

describe.skipIf(!ENABLED)('the packed package (ARBITER_PACKAGE_TEST=1)', () => {
  it('installs into an empty directory and runs init, check, test, prop and serve there as the README says', async () => {
    const work = mkdtempSync(join(tmpdir(), 'arbiter-package-'));
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, stdio: 'ignore' });
    const tarball = join(work, `${pkg.name}-${pkg.version}.tgz`);
    const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(listed).toContain('package/dist/cli/bin.js');
    expect(listed).toContain('package/schemas/meta/rules.schema.json');
    expect(listed.filter((f) => /^package\/(test|bench\/http|rules)\/|\.test\.|\.map$/.test(f))).toEqual([]);

    const out = execFileSync('bash', ['-ec', readmeSteps(tarball)], { cwd: work, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
    expect(out).toContain('ok: 1 action, 3 rules');
    expect(out).toContain('total: rules 5/5 (100.0%)');
    expect(out).toMatch(/ok: 1 action: 1,000 inputs/);
    const repo = join(work, 'my-policies');
    expect(readdirSync(repo).sort()).toEqual(['.gitignore', '.vscode', 'ci.sh', 'contracts', 'node_modules', 'package-lock.json', 'package.json', 'rules', 'rules.registry.yaml', 'schemas']);

    mkdirSync(join(repo, 'data'));
    const gate = await started(spawn(join(repo, 'node_modules/.bin/arbiter'), ['serve', '--port', '0', '--log-level', 'warn'], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] }));
    try {
      const proposal = { proposal_id: '9b2d6c1e-3f4a-4b5c-8d7e-6f8091a2b3c4', order_id: 'o-8812', amount: 350, reason: 'damaged' };
      const context = { order: { total: 300, delivered_at: '2026-11-10T15:30:00Z' }, customer: { account_age_days: 400 } };
      const r = await fetch(`${gate.url}/v1/decisions`, { method: 'POST', headers: { authorization: `Bearer ${gate.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ action: 'refund_order', proposal, context }) });
      expect(r.status).toBe(200);
      const d = (await r.json()) as { outcome: string; reasons: unknown[] };
      expect(d.outcome).toBe('reject');
      expect(d.reasons).toEqual([{ kind: 'rule', outcome: 'reject', rule: 'refund_order.more_than_order_total', message: 'refund 350 is more than the order total 300' }]);
    } finally {
      gate.child.kill('SIGTERM');
    }
    expect(await gate.exited).toBe(0);
  }, 20 * 60_000);
});
