import { EvalError } from '../eval/runtime.js';
import { anyArg, kinds, mismatch, q, T } from './arith.js';
import type { FunctionDef } from './function.js';

/** Exact division: numbers, a duration by a number, or the ratio of two durations. */
export const divide: FunctionDef = {
  name: 'divide',
  minArgs: 2,
  maxArgs: 2,
  check(args) {
    if (anyArg(args)) return { type: T.number };
    const [a, b] = kinds(args);
    if (a === 'number' && b === 'number') return { type: T.number };
    if (a === 'duration' && b === 'duration') return { type: T.number };
    if (a === 'duration' && b === 'number') return { type: T.duration };
    return mismatch('divide', args);
  },
  apply([a, b]) {
    const d = q(b);
    if (d.isZero()) return new EvalError('division_by_zero', `divides ${q(a).toString()} by zero`);
    return q(a).div(d);
  },
};
