/** `arbiter init` scaffolds a repository that passes the policy checks and whose editor schemas resolve. */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, matchesGlob, relative, resolve } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { CI_SH } from '../cli/init/files.js';
import { createAjv } from '../engine/contracts/validate.js';
import { arbiter, ROOT } from './helpers/cli.js';

/** A scaffolded repository with this checkout installed as its `arbiter-gate` (and zod beside it, as npm hoists it). */
async function scaffolded(...flags: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-init-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules/arbiter-gate'));
  symlinkSync(join(ROOT, 'node_modules/zod'), join(dir, 'node_modules/zod'));
  const r = await arbiter('init', '--dir', dir, ...flags);
  expect(r).toEqual({ code: 0, out: `wrote 12 files to ${dir}; next: npx arbiter check && npx arbiter test --coverage && npx arbiter prop\n`, err: '' });
  return dir;
}

const yamlFiles = (action: string) => ['rules.registry.yaml', `rules/${action}.yaml`, `rules/${action}.test.yaml`, `rules/${action}.invariants.yaml`];

describe('arbiter init', () => {
  it('writes a repository that passes check, test at 100% coverage, prop, analyze and contracts export --check', async () => {
    const dir = await scaffolded('--action', 'issue_refund');
    const check = await arbiter('check', '--dir', dir);
    expect(check.code, check.err).toBe(0);
    expect(check.out).toMatch(/^ok: 1 action, 3 rules, revision sha256:[0-9a-f]{64}\n$/);
    const test = await arbiter('test', '--dir', dir, '--coverage', '--min-coverage', '100');
    expect(test.code, test.out + test.err).toBe(0);
    expect(test.out).toContain('9 passed, 0 failed');
    expect(test.out).toContain('total: rules 5/5 (100.0%), branches 6/6 (100.0%), outcomes 3/3 (100.0%)');
    const prop = await arbiter('prop', '--dir', dir, '--runs', '300', '--seed', '7', '--now', '2026-11-21T10:00:00Z');
    expect(prop.code, prop.out).toBe(0);
    expect(prop.out).toContain('✓ issue_refund');
    expect(prop.out).not.toContain('was never checked');
    const analyze = await arbiter('analyze', '--dir', dir, '--seed', '7', '--now', '2026-11-21T10:00:00Z');
    expect(analyze.code, analyze.out).toBe(0);
    expect(analyze.out).toContain('ok: 0 errors, 0 warnings');
    const contracts = await arbiter('contracts', 'export', join(dir, 'contracts/index.mjs'), '--dir', dir, '--check');
    expect(contracts).toEqual({ code: 0, out: '1 exported contracts are current\n', err: '' });
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toMatchObject({ type: 'module', dependencies: { 'arbiter-gate': expect.stringMatching(/^\^\d+\.\d+\.\d+$/) } });
  });

  it('refuses to overwrite a file, and then writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-init-'));
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'rules/refund_order.yaml'), 'mine\n');
    const r = await arbiter('init', '--dir', dir);
    expect(r).toEqual({ code: 1, out: '', err: `arbiter init: \`${join(dir, 'rules/refund_order.yaml')}\` already exists; nothing was written\n` });
    expect(readFileSync(join(dir, 'rules/refund_order.yaml'), 'utf8')).toBe('mine\n');
    expect(() => readFileSync(join(dir, 'rules.registry.yaml'))).toThrow(/ENOENT/);
    expect(() => readFileSync(join(dir, 'package.json'))).toThrow(/ENOENT/);
  });

  it('keeps a package.json that is there (installing the package writes one)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-init-'));
    const mine = '{ "dependencies": { "arbiter-gate": "file:arbiter-gate-0.1.0.tgz" } }\n';
    writeFileSync(join(dir, 'package.json'), mine);
    const r = await arbiter('init', '--dir', dir);
    expect(r).toEqual({ code: 0, out: `wrote 11 files to ${dir} (kept the package.json there); next: npx arbiter check && npx arbiter test --coverage && npx arbiter prop\n`, err: '' });
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(mine);
  });

  it('rejects an action name the registry would not accept', async () => {
    const r = await arbiter('init', '--action', 'Refund-Order');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--action takes a name of lowercase letters, digits and _, starting with a letter, not `Refund-Order`');
  });

  it("writes docs/ci.md's pipeline as ci.sh", () => {
    const doc = readFileSync(join(ROOT, 'docs/ci.md'), 'utf8');
    expect(/```sh\n(#!\/bin\/sh\n# ci\.sh:[\s\S]*?)```/.exec(doc)?.[1]).toBe(CI_SH);
  });
});

describe('editor schemas in a scaffolded repository', () => {
  const ajv = createAjv();
  const headerOf = (dir: string, file: string) => /^# yaml-language-server: \$schema=(\S+)$/m.exec(readFileSync(join(dir, file), 'utf8'))?.[1];

  it('every yaml-language-server header resolves to an installed meta-schema that accepts the file', async () => {
    const dir = await scaffolded();
    for (const file of yamlFiles('refund_order')) {
      const target = headerOf(dir, file);
      expect(target, file).toMatch(/node_modules\/arbiter-gate\/schemas\/meta\/\w+\.schema\.json$/);
      const validate = ajv.compile(JSON.parse(readFileSync(resolve(dirname(join(dir, file)), target!), 'utf8')) as object);
      expect(validate(load(readFileSync(join(dir, file), 'utf8'))), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('the headers in the docs point where an installed package has its meta-schemas', () => {
    const docs = ['README.md', 'docs/ci.md', 'docs/policies.md', 'docs/rules.md'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    const headers = [...docs.matchAll(/^# yaml-language-server: \$schema=(\S+)$/gm)].map((m) => m[1]!);
    expect(headers.length).toBeGreaterThan(4);
    for (const h of headers) {
      const kind = /^(?:\.\.\/)*node_modules\/arbiter-gate\/(schemas\/meta\/\w+\.schema\.json)$/.exec(h)?.[1];
      expect(kind, h).toBeDefined();
      expect(() => readFileSync(join(ROOT, kind!)), h).not.toThrow();
    }
  });

  it('.vscode/settings.json maps each file to the schema its header names, and to no other', async () => {
    const dir = await scaffolded();
    const settings = JSON.parse(readFileSync(join(dir, '.vscode/settings.json'), 'utf8')) as { 'yaml.schemas': Record<string, string[]> };
    for (const file of yamlFiles('refund_order')) {
      const matching = Object.entries(settings['yaml.schemas'])
        .filter(([, globs]) => globs.some((g) => !g.startsWith('!') && matchesGlob(file, g)) && !globs.some((g) => g.startsWith('!') && matchesGlob(file, g.slice(1))))
        .map(([schema]) => relative(dir, resolve(dir, schema)));
      expect(matching, file).toEqual([relative(dir, resolve(dirname(join(dir, file)), headerOf(dir, file)!))]);
      expect(() => readFileSync(join(dir, matching[0]!)), matching[0]).not.toThrow();
    }
  });
});
