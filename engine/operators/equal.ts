import { eq } from '../eval/runtime.js';
import { scalarCheck, type OperatorDef } from './operator.js';

export const equal: OperatorDef = {
  name: 'equal',
  check: scalarCheck,
  test: eq,
  emit: ({ a, b, plain }) => (plain ? `${a} === ${b}` : `rt.eq(${a}, ${b})`),
};
