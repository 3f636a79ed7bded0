import { cmp } from '../eval/runtime.js';
import { orderCheck, type OperatorDef } from './operator.js';

export const lessThan: OperatorDef = {
  name: 'lessThan',
  check: orderCheck,
  test: (a, b) => cmp(a, b) < 0,
  emit: ({ a, b, plain }) => (plain ? `${a} < ${b}` : `rt.cmp(${a}, ${b}) < 0`),
};
