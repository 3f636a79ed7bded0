import { anyArg, kinds, mismatch, partDayShift, q, shiftDate, T } from './arith.js';
import { INF, type FunctionDef } from './function.js';

/** Numbers; an instant or a date plus durations; durations. */
export const add: FunctionDef = {
  name: 'add',
  minArgs: 2,
  maxArgs: INF,
  check(args) {
    if (anyArg(args)) return { type: T.number };
    const [first, ...rest] = kinds(args);
    if (first === 'number' && rest.every((k) => k === 'number')) return { type: T.number };
    if ((first === 'instant' || first === 'date' || first === 'duration') && rest.every((k) => k === 'duration')) return partDayShift('add', args) ?? { type: args[0]!.type };
    return mismatch('add', args);
  },
  apply(args, ks) {
    if (ks[0] === 'date') {
      let total = q(args[1]);
      for (let i = 2; i < args.length; i++) total = total.add(q(args[i]));
      return shiftDate(args[0] as number, total);
    }
    let total = q(args[0]);
    for (let i = 1; i < args.length; i++) total = total.add(q(args[i]));
    return total;
  },
};
