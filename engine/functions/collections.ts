/** Functions over lists: count, sum, concatenation. */
import { describe, withoutEnum, type Type } from '../contracts/types.js';
import { Rational } from '../values/rational.js';
import { q } from './arith.js';
import { INF, type FunctionDef } from './function.js';

const isNumber = (t: Type) => t.kind === 'number' || t.kind === 'any';

export const count: FunctionDef = {
  name: 'count',
  minArgs: 1,
  maxArgs: 1,
  check: ([a]) => (a!.type.kind === 'array' || a!.type.kind === 'any' ? { type: { kind: 'number', integer: true } } : { error: `\`count\` needs a list, not ${describe(a!.type)}` }),
  apply: ([a]) => (a as unknown[]).length,
  aggregate: { check: () => ({ type: { kind: 'number', integer: true } }), apply: (values) => values.length },
};

function total(values: readonly unknown[]): Rational {
  let s = Rational.ZERO;
  for (const v of values) s = s.add(q(v));
  return s;
}

export const sum: FunctionDef = {
  name: 'sum',
  minArgs: 1,
  maxArgs: 1,
  check([a]) {
    const t = a!.type;
    return t.kind === 'any' || (t.kind === 'array' && isNumber(t.items.type)) ? { type: { kind: 'number' } } : { error: `\`sum\` needs a list of numbers, not ${describe(t)}` };
  },
  apply: ([a]) => ((a as unknown[]).some((v) => v === null || v === undefined) ? undefined : total(a as unknown[])),
  aggregate: { check: (item) => (isNumber(item) ? { type: { kind: 'number' } } : { error: `\`sum\` needs numbers, not ${describe(item)}` }), apply: total },
};

export const concat: FunctionDef = {
  name: 'concat',
  oneType: true,
  minArgs: 2,
  maxArgs: INF,
  check(args) {
    const first = args[0]!.type;
    if (first.kind !== 'array') return { error: `\`concat\` joins lists, not ${describe(first)}` };
    for (const a of args) {
      if (a.type.kind !== 'array') return { error: `\`concat\` joins lists, not ${describe(a.type)}` };
      if (a.type.items.type.kind !== first.items.type.kind && a.type.items.type.kind !== 'any') return { error: `\`concat\` joins a list of ${describe(first.items.type)} with a list of ${describe(a.type.items.type)}` };
    }
    // The result holds every argument's elements: it keeps their enum only when all share it.
    const item = first.items.type;
    const shared = args.every((a) => a.type.kind === 'array' && a.type.items.type === item);
    return { type: shared ? first : { ...first, items: { ...first.items, type: withoutEnum(item) } } };
  },
  apply: (args) => ([] as unknown[]).concat(...(args as unknown[][])),
};
