import { eq } from '../eval/runtime.js';
import { scalarCheck, type OperatorDef } from './operator.js';

export const notEqual: OperatorDef = {
  name: 'notEqual',
  check: scalarCheck,
  test: (a, b) => !eq(a, b),
  emit: ({ a, b, plain }) => (plain ? `${a} !== ${b}` : `!rt.eq(${a}, ${b})`),
};
