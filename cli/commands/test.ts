/**
 * `arbiter test [--dir D] [--coverage] [--min-coverage N] [--junit out.xml] [--verbose] [--mutate
 * [--min-score N]]`: run every `*.test.yaml`, print failures with a diff and the trace, and report
 * coverage. `--min-coverage` fails the run when rule coverage (each rule and signal seen firing and
 * not firing) is below N%. `--mutate` then plants one mistake at a time in the rules and reruns the
 * tests, listing the mistakes they do not notice; `--min-score` fails the run below N% noticed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Diagnostics, formatDiagnostic } from '../../engine/internal.js';
import { findTestFiles } from '../../adapters/loaders/fs.js';
import { number, UsageError } from '../args.js';
import { command } from '../command.js';
import { annotation } from '../github.js';
import { loadPolicy, type Io } from '../io.js';
import { DIR } from '../options.js';
import { mutationTest, type MutationReport } from '../../analysis/mutate/run.js';
import { parseTestFile, type TestFile } from '../../analysis/policy-tests/cases.js';
import { coverageReport, junitReport, textReport } from '../../analysis/policy-tests/report.js';
import { runCases, summarize } from '../../analysis/policy-tests/run.js';

export function loadTests(dir: string, diags: Diagnostics): TestFile[] {
  return findTestFiles(dir).map((p) => parseTestFile(p, readFileSync(join(dir, p), 'utf8'), diags)).filter((f): f is TestFile => f !== undefined);
}

export const test = command({
  name: 'test',
  about: 'run every `*.test.yaml`; coverage by rule, branch and outcome; `--mutate`: the planted mistakes the cases miss',
  options: {
    dir: DIR,
    coverage: { type: 'boolean', default: false, help: 'print coverage by rule, branch and outcome' },
    'min-coverage': { type: 'string', value: 'N', help: 'exit 1 when rule coverage is below N%' },
    junit: { type: 'string', value: 'out.xml', help: 'also write the results as JUnit XML' },
    verbose: { type: 'boolean', short: 'v', default: false, help: 'list passing cases too' },
    mutate: { type: 'boolean', default: false, help: 'plant one mistake at a time in the rules and list those no case notices' },
    'min-score': { type: 'string', value: 'N', help: 'with --mutate: exit 1 when fewer than N% of the mistakes are noticed' },
    format: { type: 'string', choices: ['text', 'json', 'github'], default: 'text', help: '`text` for people, `json` for tools, `github`: text and annotations in GitHub Actions' },
  },
  examples: ['arbiter test --coverage --min-coverage 100', 'arbiter test --mutate --min-score 90 --junit results.xml'],
  run(values, _positionals, io) {
    const min = number(values['min-coverage'], 'min-coverage', 0);
    const minScore = number(values['min-score'], 'min-score', 0);
    if (values['min-score'] !== undefined && !values.mutate) throw new UsageError('--min-score goes with --mutate');
    const loaded = loadPolicy(values.dir, io);
    if (!loaded) return 1;
    const { policy } = loaded;
    const diags = new Diagnostics();
    const files = loadTests(values.dir, diags);
    for (const d of diags.sorted()) io.err(formatDiagnostic(d));
    if (diags.errorCount) return 1;
    if (files.length === 0) {
      io.err(`no *.test.yaml files under \`${values.dir}\``);
      return 1;
    }
    const { results, coverage } = runCases(policy, files);
    const { format } = values;
    const failed = results.some((r) => r.failures.length);
    const s = summarize(coverage);
    const lowCoverage = s.rules.pct < min ? `rule coverage ${s.rules.pct.toFixed(1)}% is below --min-coverage ${min}%` : undefined;
    if (values.junit) writeFileSync(values.junit, junitReport(results));
    const mutation = values.mutate && !failed && !lowCoverage ? mutationTest(loaded.files, policy, files) : undefined;
    const lowScore = mutation && mutation.score < minScore ? `mutation score ${mutation.score.toFixed(1)}% is below --min-score ${minScore}%` : undefined;
    const code = failed || lowCoverage || lowScore ? 1 : 0;
    if (format === 'json') {
      io.out(JSON.stringify({
        ok: code === 0,
        cases: results.map((r) => ({ file: r.file, name: r.test.name, line: r.test.loc.line, col: r.test.loc.col, passed: r.failures.length === 0, failures: r.failures })),
        passed: results.filter((r) => !r.failures.length).length, failed: results.filter((r) => r.failures.length).length,
        coverage: s,
        ...(mutation ? { mutation: { score: mutation.score, killed: mutation.killed, survived: mutation.survived, invalid: mutation.invalid, survivors: survivors(mutation).map((m) => ({ ...m.loc, owner: m.owner, change: m.change })) } } : {}),
        problems: [lowCoverage, lowScore].filter(Boolean),
      }, null, 2));
      return code;
    }
    io.out(textReport(results, values.verbose));
    if (format === 'github') {
      for (const r of results.filter((x) => x.failures.length)) io.out(annotation('error', r.failures.join('\n'), { loc: r.test.loc, title: `test case failed: ${r.test.name}` }));
    }
    if (values.coverage || values['min-coverage'] !== undefined) io.out(coverageReport(coverage));
    if (lowCoverage) {
      io.err(lowCoverage);
      if (format === 'github') io.out(annotation('error', lowCoverage, { title: 'coverage' }));
    }
    if (mutation) printMutation(mutation, format === 'github', io);
    if (lowScore) {
      io.err(lowScore);
      if (format === 'github') io.out(annotation('error', lowScore, { title: 'mutation score' }));
    }
    return code;
  },
});

const survivors = (r: MutationReport) => r.results.filter((y) => y.status === 'survived').map((y) => y.mutant);

function printMutation(r: MutationReport, github: boolean, io: Io): void {
  const total = r.killed + r.survived;
  io.out(`\nmutation testing: ${total} mutant${total === 1 ? '' : 's'} of the rules${r.invalid ? ` (and ${r.invalid} that do not compile, which the compiler catches)` : ''}`);
  for (const m of survivors(r)) {
    io.out(`  survived  ${m.loc.file}:${m.loc.line}:${m.loc.col}  ${m.owner}: ${m.change}`);
    if (github) io.out(annotation('warning', `${m.owner}: ${m.change}; no test case notices this change`, { loc: m.loc, title: 'surviving mutant' }));
  }
  io.out(`score ${r.score.toFixed(1)}%: the tests notice ${r.killed} of ${total}${r.survived ? '; a surviving mutant is a change to the rules that no test case would catch' : ''}`);
}
