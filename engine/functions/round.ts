import { q, T } from './arith.js';
import type { FunctionDef } from './function.js';

/** Rounds to `places` decimal places (default 0), half away from zero: `{ round: [x, 2] }`. */
export const round: FunctionDef = {
  name: 'round',
  minArgs: 1,
  maxArgs: 2,
  check(args) {
    if (args[0]!.type.kind !== 'number' && args[0]!.type.kind !== 'any') return { error: '`round` needs a number' };
    const places = args[1]?.literal;
    if (args[1] && (typeof places !== 'number' || !Number.isInteger(places) || places < 0 || places > 20)) {
      return { error: '`round` takes its number of places as a literal whole number from 0 to 20' };
    }
    return { type: T.number };
  },
  apply: ([x, places]) => q(x).round((places as number | undefined) ?? 0),
};
