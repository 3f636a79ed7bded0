/**
 * Before anything is timed, every engine must give the ceiling's outcome and fired set on every
 * proposal (json-rules-engine on the first 1,000 at N = 1000, where it takes about 20 ms each).
 */
import { engine } from './engines.js';
import { makeProposals, makeRuleset } from './workload.js';
import type { Decision } from './types.js';

const key = (d: Decision) => `${d.outcome}:${[...d.fired].sort().join(',')}`;

export async function verify(names: readonly string[], sizes: readonly number[], log: (s: string) => void): Promise<Set<string>> {
  const proposals = makeProposals();
  const failed = new Set<string>();
  for (const n of sizes) {
    const rs = makeRuleset(n);
    const ref = engine('ceiling').compile(rs);
    const expected = proposals.map((p) => key(ref.decide(p) as Decision));
    for (const name of names) {
      if (name === 'ceiling') continue;
      const e = engine(name);
      e.prepare?.(rs);
      const d = e.compile(rs);
      const count = name === 'json-rules-engine' && n >= 1000 ? 1000 : proposals.length;
      let mismatches = 0, first = '';
      for (let i = 0; i < count; i++) {
        const got = key(await d.decide(proposals[i]!));
        if (got !== expected[i]) { mismatches++; first ||= `proposal ${i}: expected ${expected[i]} got ${got}`; }
      }
      if (mismatches) failed.add(name);
      log(`  N=${n} ${name.padEnd(22)} ${mismatches ? `${mismatches} MISMATCHES, first ${first}` : `identical on ${count} proposals`}`);
    }
  }
  return failed;
}
