import { stringCheck, type OperatorDef } from './operator.js';

export const endsWith: OperatorDef = {
  name: 'endsWith',
  check: stringCheck,
  test: (a, b) => (a as string).endsWith(b as string),
  emit: ({ a, b }) => `${a}.endsWith(${b})`,
};
