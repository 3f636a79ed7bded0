/**
 * The action's evaluator: the generated chunks, with the interpreter as their fallback. When a
 * chunk throws (a defect in the generated code, or a value it did not expect), the statuses it
 * appended are dropped and its rules are evaluated again by the interpreter, so only the rules
 * that really fail are errors, and rules that fired, or did not, keep their result.
 */
import { instantiateChunks, type Entry, type GeneratedCode } from './codegen.js';
import { evalCond, type Env } from './interpret.js';
import { F } from './runtime.js';

/** Appends `index, status` for every entry whose condition is not false. */
export type Evaluate = (env: Env, out: number[]) => void;

/** `code` is what generateChunks made of `entries`. */
export function evaluatorOf(code: GeneratedCode, entries: readonly Entry[]): Evaluate {
  const chunks = instantiateChunks(code);
  const { ranges } = code;
  const byIndex = new Map(entries.map((e) => [e.index, e.when]));
  const evaluate: Evaluate = (env, out) => {
    for (let i = 0; i < chunks.length; i++) {
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
  };
  return evaluate;
}
