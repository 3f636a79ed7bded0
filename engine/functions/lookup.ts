import { describe } from '../contracts/types.js';
import type { FunctionDef } from './function.js';

/** A lookup table's entry: `{ lookup: [tier_rank, proposal.target_tier] }`; a key the table lacks reads as missing. */
export const lookup: FunctionDef = {
  name: 'lookup',
  minArgs: 2,
  maxArgs: 2,
  bare: (i) => (i === 0 ? 'table' : 'fact'),
  check([table, key]) {
    const entries = table!.literal as ReadonlyMap<string, unknown>;
    const k = key!.type;
    if (k.kind !== 'string' && k.kind !== 'number' && k.kind !== 'any') return { error: `a lookup key must be a string or a number, not ${describe(k)}` };
    const kinds = new Set([...entries.values()].map((v) => typeof v));
    if (kinds.size !== 1 || !['number', 'string', 'boolean'].some((t) => kinds.has(t as 'number'))) {
      return { error: 'table values must all be numbers, all strings or all booleans' };
    }
    const kind = [...kinds][0] as 'number' | 'string' | 'boolean';
    const values = k.kind === 'string' || k.kind === 'number' ? k.enum : undefined;
    const complete = values !== undefined && values.every((v) => entries.has(String(v)));
    return { type: { kind }, optional: key!.optional || !complete };
  },
  apply: ([table, key]) => (table as ReadonlyMap<string, unknown>).get(String(key)),
};
