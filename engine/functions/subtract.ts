import { anyArg, DAY, kinds, mismatch, partDayShift, q, shiftDate, T } from './arith.js';
import type { FunctionDef } from './function.js';

/** a − b: numbers, durations, an instant or date minus a duration, or the time between two instants or dates. */
export const subtract: FunctionDef = {
  name: 'subtract',
  minArgs: 2,
  maxArgs: 2,
  check(args) {
    if (anyArg(args)) return { type: T.number };
    const [a, b] = kinds(args);
    if (a === 'number' && b === 'number') return { type: T.number };
    if ((a === 'instant' || a === 'date') && b === a) return { type: T.duration };
    if ((a === 'instant' || a === 'date' || a === 'duration') && b === 'duration') return partDayShift('subtract', args) ?? { type: args[0]!.type };
    return mismatch('subtract', args);
  },
  apply([a, b], [ka, kb]) {
    if (ka === 'date' && kb === 'date') return DAY.mul(q((a as number) - (b as number)));
    if (ka === 'date') return shiftDate(a as number, q(b).neg());
    return q(a).sub(q(b));
  },
};
