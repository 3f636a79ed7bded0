/** Generated conditions for the property and differential tests: leaves under all, any and not, a few levels deep. */
import fc from 'fast-check';

export function conditionsOf(leaf: fc.Arbitrary<object>): fc.Arbitrary<object> {
  return fc.letrec<{ cond: object }>((tie) => ({
    cond: fc.oneof({ depthSize: 'small' }, { weight: 4, arbitrary: leaf },
      { weight: 1, arbitrary: fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })) },
      { weight: 1, arbitrary: fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })) },
      { weight: 1, arbitrary: tie('cond').map((not) => ({ not })) }),
  })).cond;
}
