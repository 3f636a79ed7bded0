import { stringCheck, type OperatorDef } from './operator.js';

/**
 * Equality after Unicode lower-casing (`toLowerCase`: the default case mapping, no locale, no
 * normalisation), so the Kelvin sign equals `k` and `İ` equals `i̇`; ASCII identifiers are
 * compared with `equalIgnoreAsciiCase`.
 */
export const equalIgnoreCase: OperatorDef = {
  name: 'equalIgnoreCase',
  check: stringCheck,
  test: (a, b) => (a as string).toLowerCase() === (b as string).toLowerCase(),
};
