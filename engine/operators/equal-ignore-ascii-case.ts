import { asciiLowercase } from '../values/ascii.js';
import { stringCheck, type OperatorDef } from './operator.js';

/** Equality after folding `A`–`Z` to `a`–`z` only: for domains, UUIDs and other ASCII identifiers. */
export const equalIgnoreAsciiCase: OperatorDef = {
  name: 'equalIgnoreAsciiCase',
  check: stringCheck,
  test: (a, b) => asciiLowercase(a as string) === asciiLowercase(b as string),
};
