/**
 * json-rules-engine as a reference runner: the same rules, run by the library, for differential
 * tests and benchmarks. Facts are the top-level members of the proposal and the context.
 */
import { Engine, type RuleProperties } from 'json-rules-engine';

export interface JreRunner { fired(facts: Record<string, unknown>): Promise<string[]> }

export function jreRunner(rules: RuleProperties[], conditions: Record<string, unknown> = {}): JreRunner {
  const engine = new Engine(rules, { allowUndefinedFacts: false });
  for (const [name, c] of Object.entries(conditions)) engine.setCondition(name, c as Parameters<Engine['setCondition']>[1]);
  return {
    async fired(facts) {
      const r = await engine.run(facts);
      return r.events.map((e) => String((e.params as { id?: unknown } | undefined)?.id ?? e.type));
    },
  };
}
