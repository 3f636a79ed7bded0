/**
 * `arbiter diff --base GIT_REF [--dir D] [--log decisions.jsonl] [--runs N] [--seed S] [--now ISO]
 * [--format text|json]`: the policy at a git revision (read with git, no checkout) against the
 * working tree: what changed as written (analysis/diff/structure.ts), and how it decides
 * differently (analysis/diff/behaviour.ts), over a decision log or generated inputs.
 */
import { randomInt } from 'node:crypto';
import { loadPolicyFiles } from '../../adapters/loaders/fs.js';
import { GitReadError, loadPolicyFilesAt } from '../../adapters/loaders/git.js';
import { jsonlRecords, LogLineError } from '../../adapters/stores/jsonl.js';
import { compareBehaviour, generatedInputs, loggedInputs } from '../../analysis/diff/behaviour.js';
import { diffText, type DiffReport } from '../../analysis/diff/report.js';
import { structuralChanges } from '../../analysis/diff/structure.js';
import { testFilesOf } from '../../analysis/policy-tests/cases.js';
import type { Recorded } from '../../analysis/replay/run.js';
import { Diagnostics } from '../../engine/internal.js';
import { compilePolicy, formatDiagnostic, type CompiledPolicy } from '../../engine/index.js';
import { instant, number } from '../args.js';
import { command } from '../command.js';
import type { Io } from '../io.js';
import { DIR, NOW, SEED } from '../options.js';

export const diffCommand = command({
  name: 'diff',
  about: 'the policy at a git revision against the working tree: rules, signals, tiers and contract versions added, removed, changed or renamed; each action equivalent, stricter, looser or both, with an example input each way as a test case',
  options: {
    base: { type: 'string', value: 'GIT_REF', required: true, help: 'the revision to compare with, read with git (no checkout)' },
    dir: DIR,
    log: { type: 'string', value: 'decisions.jsonl', help: 'compare over the inputs of this exported log instead of generated ones' },
    runs: { type: 'string', value: 'N', help: 'generated inputs per version and action (default: 1000)' },
    seed: SEED, now: NOW,
    format: { type: 'string', choices: ['text', 'json'], default: 'text', help: '`text` for people, `json` for tools' },
  },
  examples: ['arbiter diff --base HEAD~1', 'arbiter diff --base main --log decisions.jsonl --format json'],
  async run(values, _positionals, io) {
    const format = values.format;
    const runs = number(values.runs, 'runs', 1000);
    const seed = number(values.seed, 'seed', randomInt(2 ** 31));
    const now = instant(values.now, 'now');

    let baseFiles: Map<string, string>;
    try {
      baseFiles = loadPolicyFilesAt(values.dir, values.base);
    } catch (e) {
      if (!(e instanceof GitReadError)) throw e;
      io.err(`arbiter diff: cannot read the policy at \`${values.base}\`: ${e.message}`);
      return 1;
    }
    const base = compiled(baseFiles, `the policy at \`${values.base}\``, io);
    const headFiles = loadPolicyFiles(values.dir);
    const head = compiled(headFiles, `the policy in \`${values.dir}\``, io);
    if (!base || !head) return 1;

    try {
      // The cases of both versions' tests: what the policy owners wrote down as the inputs that matter.
      const diags = new Diagnostics();
      const all = [...testFilesOf(baseFiles, diags), ...testFilesOf(headFiles, diags)].flatMap((f) => f.cases);
      const cases = [...new Map(all.map((c) => [JSON.stringify([c.action, c.proposal, c.context, c.contract, c.now]), c])).values()];
      const inputs = values.log !== undefined ? loggedInputs(jsonlRecords(values.log) as AsyncIterable<Recorded>) : generatedInputs(base, head, { runs, seed, now, cases });
      const report: DiffReport = {
        base: { ref: values.base, revision: base.revision }, head: { ref: 'the working tree', revision: head.revision },
        changes: structuralChanges(base, head),
        over: values.log !== undefined ? { kind: 'log', file: values.log } : { kind: 'generated', runs, seed, now, cases: cases.length },
        behaviour: await compareBehaviour(base, head, inputs),
      };
      io.out(format === 'json' ? JSON.stringify(report, null, 2) : diffText(report));
      return 0;
    } catch (e) {
      if (!(e instanceof LogLineError || (e as NodeJS.ErrnoException).code === 'ENOENT')) throw e;
      io.err(`arbiter diff: ${e instanceof LogLineError ? e.message : `cannot read \`${values.log}\`: ENOENT`}`);
      return 1;
    }
  },
});

function compiled(files: Map<string, string>, what: string, io: Io): CompiledPolicy | undefined {
  const r = compilePolicy(files);
  if (r.ok) return r.policy;
  for (const d of r.diagnostics.filter((x) => x.severity === 'error')) io.err(formatDiagnostic(d));
  io.err(`arbiter diff: ${what} does not compile`);
  return undefined;
}
