/**
 * `arbiter import <rules.json> [--outcome TYPE=reject|review ...] [--out file.yaml]`: converts a
 * json-rules-engine rules file to an Arbiter rule file (printed, or written to --out).
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ImportError, importJre } from '../../adapters/json-rules-engine/import.js';
import { parse, UsageError } from '../args.js';
import { readJson, type Io } from '../io.js';

export const usage = 'arbiter import <rules.json> [--outcome TYPE=reject|review ...] [--out file.yaml]';

export function importCommand(argv: string[], io: Io): number {
  const { values, positionals } = parse(argv, { outcome: { type: 'string', multiple: true, default: [] }, out: { type: 'string' } }, true);
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
}
