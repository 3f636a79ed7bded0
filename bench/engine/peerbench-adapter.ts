/**
 * Arbiter as an engine of the shared peer benchmark (peerbench). In a peerbench checkout with
 * this package installed, `src/engines/arbiter.ts` is one line,
 *
 *     export { adapter } from 'arbiter-gate/peerbench';
 *
 * plus `{ name: 'arbiter', peer: true, load: async () => (await import('./arbiter.js')).adapter }`
 * in `src/engines/registry.ts`. Compile covers what the gate does at boot: parse the rule file,
 * check it against the contract, generate code. Decisions go through the whole decide().
 */
import { decide } from '../../engine/index.js';
import { ACTION, compileWorkload } from './policy.js';
import type { EngineAdapter } from './types.js';

export const adapter: EngineAdapter = {
  name: 'arbiter',
  pkg: 'arbiter',
  encoding: 'YAML rule file checked against a JSON Schema contract, compiled to generated JS; decide() with summary trace',
  compile(rs) {
    const policy = compileWorkload(rs);
    return {
      kind: 'sync',
      decide(p) {
        const d = decide(policy, { action: ACTION, proposal: p, now: '2026-11-21T10:00:00Z' });
        return { outcome: d.outcome, fired: d.fired.enforce };
      },
    };
  },
};
