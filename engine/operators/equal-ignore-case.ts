import { stringCheck, type OperatorDef } from './operator.js';

/** Equality after Unicode lower-casing (locale-independent). */
export const equalIgnoreCase: OperatorDef = {
  name: 'equalIgnoreCase',
  check: stringCheck,
  test: (a, b) => (a as string).toLowerCase() === (b as string).toLowerCase(),
};
