/** `arbiter fmt`: rewrites the policy's YAML files in canonical form (analysis/fmt/), or with `--check` lists those that are not. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { walk } from '../../adapters/loaders/fs.js';
import { formatYaml } from '../../analysis/fmt/format.js';
import { command } from '../command.js';
import { DIR } from '../options.js';

const isYaml = (p: string) => p.endsWith('.yaml') || p.endsWith('.yml');

/** The registry, every YAML file under rules/ (rules, tests, invariants) and the upgrade files under schemas/. */
export function policyYamlFiles(dir: string): string[] {
  return [...walk(dir, dir, (p) => p === 'rules.registry.yaml'), ...walk(dir, join(dir, 'rules'), isYaml), ...walk(dir, join(dir, 'schemas'), (p) => isYaml(p) && p.includes('.upgrade.'))];
}

export const fmt = command({
  name: 'fmt',
  about: 'format the registry, rule, test, invariant and upgrade files canonically, keeping comments; `--check`: list the files that are not',
  options: {
    dir: DIR,
    check: { type: 'boolean', default: false, help: 'write nothing; exit 1 and name each file that is not formatted' },
  },
  examples: ['arbiter fmt', 'arbiter fmt --check --dir policies'],
  run(values, _positionals, io) {
    const files = policyYamlFiles(values.dir);
    let changed = 0, broken = 0;
    for (const file of files) {
      const path = join(values.dir, file);
      const text = readFileSync(path, 'utf8');
      const r = formatYaml(text);
      if (!r.ok) {
        io.err(`${file}:${r.line}:${r.col}: ${r.message}`);
        broken++;
        continue;
      }
      if (r.text === text) continue;
      changed++;
      if (values.check) io.err(`${file}: not formatted; run \`arbiter fmt${values.dir === '.' ? '' : ` --dir ${values.dir}`}\``);
      else {
        writeFileSync(path, r.text);
        io.out(`formatted ${file}`);
      }
    }
    const s = (n: number) => (n === 1 ? '' : 's');
    if (values.check && changed) io.err(`${changed} of ${files.length} file${s(files.length)} not formatted`);
    else if (!broken) io.out(`${values.check ? 'ok' : 'done'}: ${files.length} file${s(files.length)}${values.check ? ' formatted' : `, ${changed} changed`}`);
    return broken || (values.check && changed) ? 1 : 0;
  },
});
