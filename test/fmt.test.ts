/** `arbiter fmt`: one canonical form that keeps comments, reached in one step, checked in CI. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { formatYaml } from '../analysis/fmt/format.js';
import { policyYamlFiles } from '../cli/commands/fmt.js';
import { arbiter, copyOfPack, ROOT } from './helpers/cli.js';

const MESSY = [
  '# a rule file written by hand',
  'version: 1',
  'rules:',
  '- id: refund.large   # trailing comment',
  '  outcome: review',
  '  when: {fact: proposal.amount,   operator: greaterThan, value: 500}',
  '  # why 500: the finance team signs off above it',
  '  reason: "large refund"',
  '',
  '- id: refund.method',
  '  outcome: review',
  '  when: { fact: proposal.refund_method, operator: in, value: [bank_transfer,gift_card] }',
  '',
].join('\n');

const CANONICAL = [
  '# a rule file written by hand',
  'version: 1',
  'rules:',
  '  - id: refund.large # trailing comment',
  '    outcome: review',
  '    when: { fact: proposal.amount, operator: greaterThan, value: 500 }',
  '    # why 500: the finance team signs off above it',
  '    reason: "large refund"',
  '',
  '  - id: refund.method',
  '    outcome: review',
  '    when: { fact: proposal.refund_method, operator: in, value: [ bank_transfer, gift_card ] }',
  '',
].join('\n');

describe('formatYaml', () => {
  it('keeps comments, blank lines and quoting, and makes spacing and indentation uniform', () => {
    expect(formatYaml(MESSY)).toEqual({ ok: true, text: CANONICAL });
  });

  it('is idempotent and keeps the data of every file of the bundled pack', () => {
    const files = policyYamlFiles(ROOT);
    expect(files.length).toBe(17);
    for (const f of [...files.map((p) => readFileSync(join(ROOT, p), 'utf8')), MESSY]) {
      const once = formatYaml(f);
      if (!once.ok) throw new Error(once.message);
      expect(formatYaml(once.text)).toEqual(once);
      expect(load(once.text)).toEqual(load(f));
    }
  });

  it('positions a YAML error instead of formatting', () => {
    expect(formatYaml('version: 1\nrules:\n  - id: a\n   outcome: [review\n')).toEqual({ ok: false, line: 4, col: 1, message: 'not valid YAML: sequence item without - indicator' });
  });
});

describe('arbiter fmt', () => {
  it('finds the bundled pack formatted', async () => {
    expect(await arbiter('fmt', '--check', '--dir', ROOT)).toEqual({ code: 0, out: 'ok: 17 files formatted\n', err: '' });
  });

  it('--check names the files that differ, exits 1 and writes nothing; without it, formats them', async () => {
    const dir = copyOfPack();
    writeFileSync(join(dir, 'rules/extra.yaml'), MESSY);
    const checked = await arbiter('fmt', '--check', '--dir', dir);
    expect(checked).toEqual({ code: 1, out: '', err: `rules/extra.yaml: not formatted; run \`arbiter fmt --dir ${dir}\`\n1 of 18 files not formatted\n` });
    expect(readFileSync(join(dir, 'rules/extra.yaml'), 'utf8')).toBe(MESSY);
    expect(await arbiter('fmt', '--dir', dir)).toEqual({ code: 0, out: 'formatted rules/extra.yaml\ndone: 18 files, 1 changed\n', err: '' });
    expect(readFileSync(join(dir, 'rules/extra.yaml'), 'utf8')).toBe(CANONICAL);
    expect((await arbiter('fmt', '--check', '--dir', dir)).code).toBe(0);
  });

  it('leaves a file that is not valid YAML as it is and exits 1', async () => {
    const dir = copyOfPack();
    writeFileSync(join(dir, 'rules/broken.yaml'), 'rules: [a\n');
    const r = await arbiter('fmt', '--dir', dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^rules\/broken\.yaml:\d+:\d+: not valid YAML: /);
    expect(readFileSync(join(dir, 'rules/broken.yaml'), 'utf8')).toBe('rules: [a\n');
  });
});
