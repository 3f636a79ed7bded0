/**
 * ReDoS check for `matches` patterns, done by recheck (automata analysis with a fuzzing fallback).
 * A pattern is accepted only when recheck proves its matching time linear; exponential,
 * polynomial and undecided patterns are rejected. Results are memoised per pattern.
 */
import { createRequire } from 'node:module';

// recheck is large (a 5 MB Scala.js bundle); it is loaded on the first `matches`, not at start-up.
let recheck: typeof import('recheck') | undefined;
const verdicts = new Map<string, string | undefined>();

/** Why the pattern is unsafe, or undefined when it is safe. */
export function safeRegex(source: string, flags: string): string | undefined {
  const key = `${flags}/${source}`;
  if (verdicts.has(key)) return verdicts.get(key);
  recheck ??= createRequire(import.meta.url)('recheck') as typeof import('recheck');
  const r = recheck.checkSync(source, flags, { randomSeed: 1, timeout: 5000 });
  let why: string | undefined;
  if (r.status === 'vulnerable') {
    const c = r.complexity;
    why = c?.type === 'exponential' ? 'can backtrack exponentially (catastrophic backtracking)'
      : `can backtrack polynomially${c?.type === 'polynomial' ? ` (degree ${c.degree})` : ''}, which is catastrophic on long input`;
  } else if (r.status === 'unknown') {
    why = 'could not be proven free of catastrophic backtracking';
  }
  verdicts.set(key, why);
  return why;
}
