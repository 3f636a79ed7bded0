import type { OperatorDef } from './operator.js';

/** True when the fact is absent or null; never unknown. */
export const missing: OperatorDef = {
  name: 'missing',
  unary: true,
  total: true,
  check: () => undefined,
  test: (a) => a === undefined || a === null,
  emit: ({ a }) => `${a} == null`,
};
