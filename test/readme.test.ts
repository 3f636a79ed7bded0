/** The examples in README.md run as written. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFiles } from '../adapters/loaders/fs.js';
import { compilePolicy } from '../engine/index.js';
import { ROOT } from './helpers/cli.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('embeds the engine as the example shows, through the package exports', () => {
    const snippet = /```ts\n(import \{ compilePolicy[\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    const dir = mkdtempSync(join(ROOT, 'dist', 'readme-'));
    const script = join(dir, 'example.mjs');
    const body = snippet!
      .replace("loadPolicyFiles('.')", `loadPolicyFiles(${JSON.stringify(ROOT)})`)
      .replace(/^decision\.outcome;.*$/m, 'console.log(JSON.stringify({ outcome: decision.outcome, reasons: decision.reasons }));');
    const fixtures = `const proposal = ${readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')};\nconst context = ${readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')};\n`;
    writeFileSync(script, body.replace('const decision', `${fixtures}const decision`));
    const out = JSON.parse(execFileSync(process.execPath, [script], { cwd: ROOT, encoding: 'utf8' })) as { outcome: string; reasons: { rule: string }[] };
    expect(out.outcome).toBe('review');
    expect(out.reasons.map((r) => r.rule)).toEqual(['refund.large_needs_person']);
  });

  it('runs the quickstart commands as written', () => {
    const block = /Check the bundled policy pack[^\n]*\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toMatch(/^npx arbiter check\n/);
    const out = execFileSync('bash', ['-ec', block!], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toContain('ok: 5 actions');
    expect(out).toContain('refund_order → REVIEW');
    expect(out).toContain('refund.large_needs_person');
  });

  it('shows the quickstart commands and the error a typo produces', () => {
    expect(readme).toContain('npm install');
    expect(readme).toContain('npm test');
    expect(readme).toContain('rules/refund_order.yaml:40:19: unknown_fact: rule `refund.large_needs_person` reads `proposal.amout`');
  });
});

describe('README policy example', () => {
  it('compiles against the bundled contracts with no unguarded divide', () => {
    const block = /```yaml\n# rules\/refund_order\.yaml \(abridged\)\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const files = loadPolicyFiles(ROOT);
    files.set('rules/refund_order.yaml', block!);
    const result = compilePolicy(files);
    expect(result.ok).toBe(true);
    expect(result.diagnostics.filter((d) => d.code === 'unguarded_divide')).toEqual([]);
  });
});
