import { inList } from '../eval/runtime.js';
import { emitMembership, listCheck } from './in.js';
import type { OperatorDef } from './operator.js';

export const notIn: OperatorDef = {
  name: 'notIn',
  check: listCheck,
  test: (a, b) => !inList(a, b as unknown[]),
  emit: (x) => `!${emitMembership(x)}`,
};
