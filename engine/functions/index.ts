/** The function table, resolved once when compiling. */
import { abs } from './abs.js';
import { add } from './add.js';
import { coalesce } from './coalesce.js';
import { concat, count, sum } from './collections.js';
import { toDate, toDecimal, toInstant, toInteger } from './convert.js';
import { dateOf } from './date-of.js';
import { divide } from './divide.js';
import { max, min } from './extremum.js';
import type { FunctionDef } from './function.js';
import { lookup } from './lookup.js';
import { multiply } from './multiply.js';
import { FUNCTION_NAMES } from './names.js';
import { round } from './round.js';
import { afterFirst, afterLast, asciiLower, asciiUpper, length, lowercase, trim, uppercase } from './strings.js';
import { subtract } from './subtract.js';

export type { ArgInfo, FunctionDef } from './function.js';

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(
  [add, subtract, multiply, divide, abs, min, max, round, lookup, lowercase, uppercase, asciiLower, asciiUpper, trim, length, afterFirst, afterLast,
    coalesce, count, sum, concat, dateOf, toDate, toInstant, toDecimal, toInteger].map((f) => [f.name, f]),
);

if (FUNCTIONS.size !== FUNCTION_NAMES.length || FUNCTION_NAMES.some((n) => !FUNCTIONS.has(n))) {
  throw new Error('engine/functions/names.ts is out of step with the function table');
}
