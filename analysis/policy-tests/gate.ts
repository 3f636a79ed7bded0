/**
 * The policy tests as a gate on a candidate policy (what a reload must pass before it is served):
 * every `*.test.yaml` among the files parses, every case passes, and every action of the
 * candidate has at least one case. The last rule is what catches a rule file emptied or cut short
 * together with its tests: an action nobody tests could otherwise be swapped in approving anything.
 */
import type { CompiledPolicy } from '../../engine/index.js';
import { Diagnostics, formatDiagnostic } from '../../engine/internal.js';
import { testFilesOf } from './cases.js';
import { runCases } from './run.js';

export interface GateResult { cases: number; failures: string[] }

/** Runs the test files held in `files` (path → text, as the compiler takes them) against `policy`. */
export function gatePolicy(policy: CompiledPolicy, files: ReadonlyMap<string, string>): GateResult {
  const diags = new Diagnostics();
  const tests = testFilesOf(files, diags);
  const failures = diags.sorted().filter((d) => d.severity === 'error').map(formatDiagnostic);
  const { results } = runCases(policy, tests);
  for (const r of results) {
    for (const f of r.failures) failures.push(`${r.test.loc.file}:${r.test.loc.line}:${r.test.loc.col}: case \`${r.test.name}\` failed: ${f}`);
  }
  const tested = new Set(results.map((r) => r.test.action));
  for (const a of policy.actions.values()) {
    if (!tested.has(a.name)) failures.push(`action \`${a.name}\` has no test case under \`rules/\`, so nothing shows that it still refuses what it should`);
  }
  return { cases: results.length, failures };
}
