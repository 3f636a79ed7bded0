import { comparable, describe } from '../contracts/types.js';
import { EvalError } from '../eval/runtime.js';
import { INF, type FunctionDef } from './function.js';

/** The first argument that is present: `{ coalesce: [proposal.metadata.priority, { value: normal }] }`. */
export const coalesce: FunctionDef = {
  name: 'coalesce',
  minArgs: 2,
  maxArgs: INF,
  handlesMissing: true,
  picksOne: true,
  check(args) {
    const first = args[0]!.type;
    const odd = args.find((a) => !comparable(a.type, first));
    if (odd) return { error: `\`coalesce\` mixes ${describe(first)} with ${describe(odd.type)}` };
    return { type: first, optional: args.every((a) => a.optional) };
  },
  apply(args) {
    for (const a of args) if (a instanceof EvalError || (a !== undefined && a !== null)) return a;
    return undefined;
  },
};
