import { cmp } from '../eval/runtime.js';
import { orderCheck, type OperatorDef } from './operator.js';

export const lessThanInclusive: OperatorDef = {
  name: 'lessThanInclusive',
  check: orderCheck,
  test: (a, b) => cmp(a, b) <= 0,
  emit: ({ a, b, plain }) => (plain ? `${a} <= ${b}` : `rt.cmp(${a}, ${b}) <= 0`),
};
