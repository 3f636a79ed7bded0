import { containsCheck, containsTest } from './contains.js';
import type { OperatorDef } from './operator.js';

export const doesNotContain: OperatorDef = {
  name: 'doesNotContain',
  check: containsCheck,
  test: (a, b) => !containsTest(a, b),
};
