/**
 * `arbiter test [--dir D] [--coverage] [--min-coverage N] [--junit out.xml] [--verbose]`: run every
 * `*.test.yaml`, print failures with a diff and the trace, and report coverage. `--min-coverage`
 * fails the run when rule coverage (each rule and signal seen firing and not firing) is below N%.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Diagnostics, formatDiagnostic } from '../../engine/errors.js';
import { findTestFiles } from '../../adapters/loaders/fs.js';
import { number, parse } from '../args.js';
import { policyOrReport, type Io } from '../io.js';
import { parseTestFile, type TestFile } from '../policy-tests/cases.js';
import { coverageReport, junitReport, textReport } from '../policy-tests/report.js';
import { runCases, summarize } from '../policy-tests/run.js';

export const usage = 'arbiter test [--dir D] [--coverage] [--min-coverage N] [--junit out.xml] [--verbose]';

export function loadTests(dir: string, diags: Diagnostics): TestFile[] {
  return findTestFiles(dir).map((p) => parseTestFile(p, readFileSync(join(dir, p), 'utf8'), diags)).filter((f): f is TestFile => f !== undefined);
}

export function test(argv: string[], io: Io): number {
  const { values } = parse(argv, {
    dir: { type: 'string', default: '.' }, coverage: { type: 'boolean', default: false }, 'min-coverage': { type: 'string' },
    junit: { type: 'string' }, verbose: { type: 'boolean', short: 'v', default: false },
  });
  const min = number(values['min-coverage'], 'min-coverage', 0);
  const policy = policyOrReport(values.dir, io);
  if (!policy) return 1;
  const diags = new Diagnostics();
  const files = loadTests(values.dir, diags);
  for (const d of diags.sorted()) io.err(formatDiagnostic(d));
  if (diags.errorCount) return 1;
  if (files.length === 0) {
    io.err(`no *.test.yaml files under \`${values.dir}\``);
    return 1;
  }
  const { results, coverage } = runCases(policy, files);
  io.out(textReport(results, values.verbose));
  if (values.junit) writeFileSync(values.junit, junitReport(results));
  const failed = results.some((r) => r.failures.length);
  const s = summarize(coverage);
  if (values.coverage || values['min-coverage'] !== undefined) io.out(coverageReport(coverage));
  if (s.rules.pct < min) {
    io.err(`rule coverage ${s.rules.pct.toFixed(1)}% is below --min-coverage ${min}%`);
    return 1;
  }
  return failed ? 1 : 0;
}
