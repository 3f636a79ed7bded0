import { comparable, describe, withoutEnum } from '../contracts/types.js';
import { EvalError } from '../eval/runtime.js';
import { INF, type FunctionDef } from './function.js';

/** The first argument that is present: `{ coalesce: [proposal.metadata.priority, { value: normal }] }`. */
export const coalesce: FunctionDef = {
  name: 'coalesce',
  minArgs: 2,
  maxArgs: INF,
  handlesMissing: true,
  oneType: true,
  check(args) {
    const first = args[0]!.type;
    const odd = args.find((a) => !comparable(a.type, first));
    if (odd) return { error: `\`coalesce\` mixes ${describe(first)} with ${describe(odd.type)}` };
    // The result is one of the arguments: it keeps the first one's enum only when the others have
    // it too (literals among them were read against it).
    const shared = args.every((a) => a.type === first || a.literal !== undefined);
    return { type: shared ? first : withoutEnum(first), optional: args.every((a) => a.optional) };
  },
  apply(args) {
    for (const a of args) if (a instanceof EvalError || (a !== undefined && a !== null)) return a;
    return undefined;
  },
};
