import { describe } from '../contracts/types.js';
import { Rational } from '../values/rational.js';
import { dateOf as utcDate } from '../values/time.js';
import type { FunctionDef } from './function.js';

/** The UTC calendar date of an instant. */
export const dateOf: FunctionDef = {
  name: 'date_of',
  minArgs: 1,
  maxArgs: 1,
  check: ([a]) => (a!.type.kind === 'instant' ? { type: { kind: 'date' } } : { error: `\`date_of\` needs an instant, not ${describe(a!.type)}` }),
  apply: ([a]) => utcDate(a as Rational),
};
