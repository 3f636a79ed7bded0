/**
 * The action's evaluator: the generated chunks, with the interpreter as their fallback. When a
 * chunk throws (a defect in the generated code, or a value it did not expect), the statuses it
 * appended are dropped and its rules are evaluated again by the interpreter, so only the rules
 * that really fail are errors, and rules that fired, or did not, keep their result. A chunk
 * whose screen proves all its rules false is not run (screen.ts); screened chunks run after the
 * others, so the statuses are put back in policy order, which reasons and traces follow.
 */
import { instantiateChunks, type Entry, type GeneratedCode } from './codegen.js';
import { evalCond, type Env } from './interpret.js';
import { F } from './runtime.js';
import { gateOf, type Gate } from './screen.js';

/** Appends `index, status` for every entry whose condition is not false. */
export type Evaluate = (env: Env, out: number[]) => void;

/** `code` is what generateChunks made of `entries`. */
export function evaluatorOf(code: GeneratedCode, entries: readonly Entry[]): Evaluate {
  const chunks = instantiateChunks(code);
  const { ranges } = code;
  const byIndex = new Map(entries.map((e) => [e.index, e.when]));
  const gates: (Gate | null)[] = code.screens.map((s) => (s ? gateOf(s) : null));
  const reordered = gates.some((g) => g !== null);
  const evaluate: Evaluate = (env, out) => {
    for (let i = 0; i < chunks.length; i++) {
      if (gates[i]?.(env) === false) continue;
      const mark = out.length;
      try {
        chunks[i]!(env, out);
      } catch {
        out.length = mark;
        for (const index of ranges[i]!) {
          const s = evalCond(byIndex.get(index)!, env);
          if (s !== F) out.push(index, s);
        }
      }
    }
    if (reordered) sortPairs(out);
  };
  return evaluate;
}

/** Sorts `index, status` pairs by index; there are few (only rules that are not false), mostly in order already. */
function sortPairs(out: number[]): void {
  for (let i = 2; i < out.length; i += 2) {
    const index = out[i]!, s = out[i + 1]!;
    let j = i - 2;
    while (j >= 0 && out[j]! > index) { out[j + 2] = out[j]!; out[j + 3] = out[j + 1]!; j -= 2; }
    out[j + 2] = index;
    out[j + 3] = s;
  }
}
