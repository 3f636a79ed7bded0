import { stringCheck, type OperatorDef } from './operator.js';

/**
 * A regular expression test. The pattern is a literal, checked for catastrophic backtracking and
 * compiled once when the policy compiles; the right operand arrives as that RegExp.
 */
export const matches: OperatorDef = {
  name: 'matches',
  check: stringCheck,
  test: (a, b) => (b as RegExp).test(a as string),
  emit: ({ a, b }) => `${b}.test(${a})`,
};
