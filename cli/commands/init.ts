/**
 * `arbiter init`: scaffolds a policy repository that passes `check`, `test --min-coverage 100` and
 * `prop` as written. It writes nothing when any of its files exists, except `package.json`, which
 * it leaves as it is (installing the package first creates one).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../args.js';
import { command } from '../command.js';
import { scaffold } from '../init/files.js';
import { version } from '../version.js';

export const init = command({
  name: 'init',
  about: 'scaffold a policy repository: registry, contracts, rules, tests, invariants, ci.sh, editor settings',
  options: {
    dir: { type: 'string', value: 'D', default: '.', help: 'where to write it' },
    action: { type: 'string', value: 'NAME', default: 'refund_order', help: 'the name of the first action' },
  },
  examples: ['arbiter init', 'arbiter init --dir policies --action issue_refund'],
  async run(values, _positionals, io) {
    if (!/^[a-z][a-z0-9_]*$/.test(values.action)) throw new UsageError(`--action takes a name of lowercase letters, digits and _, starting with a letter, not \`${values.action}\``);
    const files = await scaffold(values.action, basename(resolve(values.dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-'), version());
    const present = [...files.keys()].filter((f) => existsSync(join(values.dir, f)));
    const clashes = present.filter((f) => f !== 'package.json');
    if (clashes.length) {
      io.err(`arbiter init: ${clashes.map((f) => `\`${join(values.dir, f)}\``).join(', ')} already exist${clashes.length === 1 ? 's' : ''}; nothing was written`);
      return 1;
    }
    for (const [file, text] of files) {
      if (present.includes(file)) continue;
      const path = join(values.dir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text, file === 'ci.sh' ? { mode: 0o755 } : {});
    }
    const written = files.size - present.length;
    io.out(`wrote ${written} files to ${values.dir}${present.length ? ' (kept the package.json there)' : ''}; next: npx arbiter check && npx arbiter test --coverage && npx arbiter prop`);
    return 0;
  },
});
