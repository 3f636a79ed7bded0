/**
 * Whether a snapshot of the policy files may replace the policy being served: it compiles, and
 * (unless turned off) the repository's own test cases pass against it. A rule file emptied or cut
 * short still compiles when what is left is valid, and then approves what it used to refuse; the
 * tests are what say that it no longer does what its owners wrote down.
 */
import { gatePolicy } from '../../analysis/policy-tests/gate.js';
import { compilePolicy, formatDiagnostic, type CompiledPolicy } from '../../engine/index.js';

/** Where a candidate stopped: `compile` and `tests` refuse it; `error` means it could not be read or checked at all. */
export type Stage = 'compile' | 'tests' | 'error';

/** What a check hands back; plain data, so it can come from a worker thread. */
export interface Verdict {
  files: [string, string][];
  ok: boolean;
  revision: string | null;
  stage: Stage | null;
  errors: string[];
  /** test cases run; null when the tests were not run */
  cases: number | null;
}

/** A checked candidate, and the policy to serve when the verdict is ok. */
export interface Checked { verdict: Verdict; policy?: CompiledPolicy }

export interface CheckOptions { tests: boolean }

export function checkCandidate(files: ReadonlyMap<string, string>, options: CheckOptions): Checked {
  const base = { files: [...files] };
  const compiled = compilePolicy(files);
  if (!compiled.ok) {
    return { verdict: { ...base, ok: false, revision: null, stage: 'compile', cases: null, errors: compiled.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic) } };
  }
  const { policy } = compiled;
  if (!options.tests) return { verdict: { ...base, ok: true, revision: policy.revision, stage: null, cases: null, errors: [] }, policy };
  const t = gatePolicy(policy, files);
  if (t.failures.length) return { verdict: { ...base, ok: false, revision: policy.revision, stage: 'tests', cases: t.cases, errors: t.failures } };
  return { verdict: { ...base, ok: true, revision: policy.revision, stage: null, cases: t.cases, errors: [] }, policy };
}

export function failedToRead(e: unknown): Verdict {
  return { files: [], ok: false, revision: null, stage: 'error', cases: null, errors: [(e as Error).message] };
}
