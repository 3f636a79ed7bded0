import type { OperatorDef } from './operator.js';

/** True when the fact is present and not null; never unknown, so it guards optional members. */
export const exists: OperatorDef = {
  name: 'exists',
  unary: true,
  total: true,
  check: () => undefined,
  test: (a) => a !== undefined && a !== null,
  emit: ({ a }) => `${a} != null`,
};
