/**
 * Runs the test suite against each mutant: a mutant is killed when a test case fails on it,
 * survives when every case still passes (the suite would not notice that mistake), and is left
 * out when it does not compile (the compiler already catches that mistake).
 */
import { compilePolicy, type CompiledPolicy } from '../../engine/index.js';
import { runCases } from '../policy-tests/run.js';
import type { TestFile } from '../policy-tests/cases.js';
import { mutantsOf, type Mutant } from './mutants.js';

export interface MutantResult { mutant: Mutant; status: 'killed' | 'survived' | 'invalid'; by?: string }

export interface MutationReport { results: MutantResult[]; killed: number; survived: number; invalid: number; score: number }

export function mutationTest(files: ReadonlyMap<string, string>, policy: CompiledPolicy, tests: readonly TestFile[]): MutationReport {
  const actions = [...policy.actions.values()];
  const results = mutantsOf(files, actions).map((mutant): MutantResult => {
    const changed = new Map(files);
    changed.set(mutant.file, mutant.text);
    const compiled = compilePolicy(changed);
    if (!compiled.ok) return { mutant, status: 'invalid' };
    const affected = new Set(actions.filter((a) => a.ruleFiles.includes(mutant.file)).map((a) => a.name));
    const { results: cases } = runCases(compiled.policy, tests.filter((t) => affected.has(t.action)));
    const failed = cases.find((c) => c.failures.length);
    return failed ? { mutant, status: 'killed', by: failed.test.name } : { mutant, status: 'survived' };
  });
  const count = (s: MutantResult['status']) => results.filter((r) => r.status === s).length;
  const killed = count('killed'), survived = count('survived');
  return { results, killed, survived, invalid: count('invalid'), score: killed + survived ? (100 * killed) / (killed + survived) : 100 };
}
