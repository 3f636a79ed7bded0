/**
 * `arbiter import <rules.json> [--outcome TYPE=reject|review ...] [--out file.yaml]`: converts a
 * json-rules-engine rules file to an Arbiter rule file (printed, or written to --out).
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ImportError, importJre } from '../../adapters/json-rules-engine/import.js';
import { UsageError } from '../args.js';
import { command } from '../command.js';
import { readJson } from '../io.js';

export const importCommand = command({
  name: 'import',
  about: 'convert json-rules-engine rules to an Arbiter rule file',
  args: '<rules.json>',
  options: {
    outcome: { type: 'string', value: 'TYPE=reject|review', multiple: true, default: [], help: 'the outcome of the rules whose event has this type (default: reject)' },
    out: { type: 'string', value: 'file.yaml', help: 'write the rule file here (default: print it)' },
  },
  examples: ['arbiter import rules.json --outcome needs-review=review --out rules/refund_order.yaml'],
  run(values, positionals, io) {
    const [file] = positionals;
    if (!file) throw new UsageError('name the json-rules-engine rules file');
    const outcomes: Record<string, 'reject' | 'review'> = {};
    for (const m of values.outcome) {
      const [type, outcome] = m.split('=');
      if (!type || (outcome !== 'reject' && outcome !== 'review')) throw new UsageError(`--outcome takes TYPE=reject or TYPE=review, not \`${m}\``);
      outcomes[type] = outcome;
    }
    try {
      const r = importJre(readJson(file, 'rules file', io), outcomes, basename(file));
      for (const w of r.warnings) io.err(`warning: ${w}`);
      if (values.out) {
        writeFileSync(values.out, r.yaml);
        io.err(`wrote ${r.rules} rule${r.rules === 1 ? '' : 's'} to ${values.out}; add it to an action in rules.registry.yaml and run \`arbiter check\``);
      } else io.out(r.yaml);
      return 0;
    } catch (e) {
      if (e instanceof ImportError) {
        io.err(`arbiter import: ${e.message}`);
        return 1;
      }
      throw e;
    }
  },
});
