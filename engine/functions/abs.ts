import { anyArg, mismatch, q, T } from './arith.js';
import type { FunctionDef } from './function.js';

export const abs: FunctionDef = {
  name: 'abs',
  minArgs: 1,
  maxArgs: 1,
  check(args) {
    if (anyArg(args)) return { type: T.number };
    const k = args[0]!.type.kind;
    return k === 'number' || k === 'duration' ? { type: args[0]!.type.kind === 'number' ? T.number : T.duration } : mismatch('abs', args);
  },
  apply: ([a]) => q(a).abs(),
};
