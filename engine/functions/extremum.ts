/** `min` and `max`: of several values of one ordered kind, or over a list (`{ max: { over: …, of: … } }`). */
import { isOrdered, withoutEnum } from '../contracts/types.js';
import { cmp } from '../eval/runtime.js';
import { Rational } from '../values/rational.js';
import { anyArg, mismatch } from './arith.js';
import { INF, type FunctionDef } from './function.js';

function normalise(v: unknown): unknown {
  return typeof v === 'number' ? Rational.fromNumber(v) : v;
}

function pick(values: readonly unknown[], sign: number): unknown {
  let best = values[0];
  for (let i = 1; i < values.length; i++) if (cmp(values[i], best) * sign > 0) best = values[i];
  return normalise(best);
}

function extremum(name: 'min' | 'max', sign: number): FunctionDef {
  return {
    name,
    minArgs: 1,
    maxArgs: INF,
    check(args) {
      if (anyArg(args)) return { type: { kind: 'number' } };
      const first = args[0]!.type;
      if (args.length === 1) {
        return first.kind === 'array' && isOrdered(first.items.type) && first.items.type.kind !== 'any'
          ? { type: first.items.type, optional: true }
          : { error: `\`${name}\` of one argument needs a list of numbers, instants, dates or durations` };
      }
      // The result is one of the arguments: it keeps an enum only when every argument has it.
      if (isOrdered(first) && args.every((a) => a.type.kind === first.kind)) return { type: args.every((a) => a.type === first) ? first : withoutEnum(first) };
      return mismatch(name, args);
    },
    apply(args) {
      if (args.length === 1) {
        const list = (args[0] as unknown[]).filter((v) => v !== null && v !== undefined);
        return list.length ? pick(list, sign) : undefined;
      }
      return pick(args, sign);
    },
    aggregate: {
      check: (item) => (isOrdered(item) ? { type: item, optional: true } : { error: `\`${name}\` needs numbers, instants, dates or durations` }),
      apply: (values) => (values.length ? pick(values, sign) : undefined),
    },
  };
}

export const min = extremum('min', -1);
export const max = extremum('max', 1);
