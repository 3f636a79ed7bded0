import { anyArg, kinds, mismatch, q, T } from './arith.js';
import { INF, type FunctionDef } from './function.js';

/** Numbers, or one duration scaled by numbers. */
export const multiply: FunctionDef = {
  name: 'multiply',
  minArgs: 2,
  maxArgs: INF,
  check(args) {
    if (anyArg(args)) return { type: T.number };
    const ks = kinds(args);
    const durations = ks.filter((k) => k === 'duration').length;
    if (ks.every((k) => k === 'number' || k === 'duration') && durations <= 1) return { type: durations ? T.duration : T.number };
    return mismatch('multiply', args);
  },
  apply(args) {
    let total = q(args[0]);
    for (let i = 1; i < args.length; i++) total = total.mul(q(args[i]));
    return total;
  },
};
