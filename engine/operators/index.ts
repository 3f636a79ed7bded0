/** The operator table, resolved once when compiling; evaluation never looks operators up by name. */
import { contains } from './contains.js';
import { doesNotContain } from './does-not-contain.js';
import { endsWith } from './ends-with.js';
import { equal } from './equal.js';
import { equalIgnoreAsciiCase } from './equal-ignore-ascii-case.js';
import { equalIgnoreCase } from './equal-ignore-case.js';
import { exists } from './exists.js';
import { greaterThan } from './greater-than.js';
import { greaterThanInclusive } from './greater-than-inclusive.js';
import { in_ } from './in.js';
import { lessThan } from './less-than.js';
import { lessThanInclusive } from './less-than-inclusive.js';
import { matches } from './matches.js';
import { missing } from './missing.js';
import { notEqual } from './not-equal.js';
import { notIn } from './not-in.js';
import type { OperatorDef } from './operator.js';
import { startsWith } from './starts-with.js';

export type { OperatorDef } from './operator.js';

export const OPERATORS: ReadonlyMap<string, OperatorDef> = new Map(
  [equal, notEqual, lessThan, lessThanInclusive, greaterThan, greaterThanInclusive, in_, notIn, contains, doesNotContain,
    exists, missing, startsWith, endsWith, equalIgnoreCase, equalIgnoreAsciiCase, matches].map((op) => [op.name, op]),
);
