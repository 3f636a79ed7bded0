import { stringCheck, type OperatorDef } from './operator.js';

export const startsWith: OperatorDef = {
  name: 'startsWith',
  check: stringCheck,
  test: (a, b) => (a as string).startsWith(b as string),
  emit: ({ a, b }) => `${a}.startsWith(${b})`,
};
