/**
 * Whether a snapshot of the policy files may replace the policy being served: it compiles, and
 * (unless turned off) the repository's own test cases pass against it. A rule file emptied or cut
 * short still compiles when what is left is valid, and then approves what it used to refuse; the
 * tests are what say that it no longer does what its owners wrote down.
 */
import { gatePolicy } from '../../analysis/policy-tests/gate.js';
import { compilePolicy, formatDiagnostic, type CompiledPolicy, type Diagnostic, type GrantedFile } from '../../engine/index.js';

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
  /** granted exceptions (gate/exceptions.ts) that do not compile against these files, by path, with why: they relax nothing */
  setAside?: [string, string[]][];
}

/** A checked candidate, and the policy to serve when the verdict is ok. */
export interface Checked { verdict: Verdict; policy?: CompiledPolicy }

export interface CheckOptions { tests: boolean }

/**
 * The policy with the granted exceptions that compile against it. The repository's own files
 * compiled before, so an error is a grant's, in the grant's file: that grant is set aside and the
 * rest compiled again. Setting one aside only takes a relaxation away.
 */
export function withGrants(files: ReadonlyMap<string, string>, granted: readonly GrantedFile[]): { policy: CompiledPolicy; setAside: Map<string, Diagnostic[]> } | { error: string[] } {
  const setAside = new Map<string, Diagnostic[]>();
  let left = granted;
  for (;;) {
    const r = compilePolicy(files, { granted: left });
    if (r.ok) return { policy: r.policy, setAside };
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    const failed = left.filter((g) => errors.some((d) => d.loc?.file === g.path));
    if (!failed.length) return { error: errors.map(formatDiagnostic) };
    for (const g of failed) setAside.set(g.path, errors.filter((d) => d.loc?.file === g.path));
    left = left.filter((g) => !failed.includes(g));
  }
}

export function checkCandidate(files: ReadonlyMap<string, string>, options: CheckOptions, granted: readonly GrantedFile[] = []): Checked {
  const checked = checkFiles(files, options);
  if (!checked.policy || !granted.length) return checked;
  const w = withGrants(files, granted);
  if ('error' in w) return { verdict: { ...checked.verdict, ok: false, stage: 'error', errors: w.error } };
  return { verdict: { ...checked.verdict, revision: w.policy.revision, setAside: [...w.setAside].map(([p, ds]) => [p, ds.map(formatDiagnostic)]) }, policy: w.policy };
}

/** The repository's files alone: its tests are about what it says, not about the exceptions granted on top. */
function checkFiles(files: ReadonlyMap<string, string>, options: CheckOptions): Checked {
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
