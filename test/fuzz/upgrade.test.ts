/**
 * Contract upgrade steps on what a model may really send: proposals of `refund_order@1` that are
 * valid, nearly valid (a member dropped, retyped or added) or anything at all, with the version
 * named in every way a request can name it. An invalid old proposal is a reject that names its
 * contract errors against the version it was written to; a valid one is decided as its upgraded
 * form; a version the action does not serve is a DecideError. Nothing else, and never a throw of
 * another kind.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryFor } from '../../analysis/prop/arbitraries.js';
import { compileDir } from '../../cli/io.js';
import { decide, DecideError } from '../../engine/index.js';
import { ROOT } from '../helpers/cli.js';
import { fuzzParams, fuzzTimeout } from '../helpers/fuzz.js';

const NOW = '2026-11-21T10:00:00Z';

describe('contract upgrade steps', () => {
  const { result } = compileDir(ROOT);
  if (!result.ok) throw new Error('the bundled pack does not compile');
  const policy = result.policy;
  const refund = policy.actions.get('refund_order')!;
  const v1 = refund.versions.get('refund_order@1')!;

  const nearly = fc.tuple(arbitraryFor(v1.use.schema), fc.constantFrom('drop', 'retype', 'add', 'method'), fc.nat(), fc.jsonValue({ maxDepth: 2 }))
    .map(([p, how, i, v]) => {
      const o = { ...(p as Record<string, unknown>) };
      const keys = Object.keys(o);
      const k = keys[i % keys.length]!;
      if (how === 'drop') delete o[k];
      else if (how === 'retype') o[k] = v;
      else if (how === 'add') o[`x_${i % 5}`] = v;
      else o.refund_method = v;
      return o as unknown;
    });
  const proposal = fc.oneof({ weight: 2, arbitrary: arbitraryFor(v1.use.schema) }, { weight: 3, arbitrary: nearly }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });
  const naming = fc.oneof(
    fc.record({ contract: fc.constantFrom('refund_order@1', 'refund_order@2', 'refund_order@3', 'tier_upgrade@1', 'refund_order@', '@1', 'refund_order@1.0', 'refund_order@01') }),
    fc.record({ version: fc.oneof(fc.constantFrom<string | number>(1, 2, '1', '2', 0, -1, 1.5, '1.0.0', '', 'x', 1e308)) }),
  );

  it('an old proposal, valid or not, under any version naming: a decision that fails closed, or a DecideError', () => {
    fc.assert(fc.property(proposal, naming, arbitraryFor(refund.context!.schema), (p, named, context) => {
      let d;
      try {
        d = decide(policy, { action: 'refund_order', proposal: p, context, now: NOW, explain: 'off', ...named });
      } catch (e) {
        expect(e).toBeInstanceOf(DecideError);
        return;
      }
      expect(decide(policy, { action: 'refund_order', proposal: p, context, now: NOW, explain: 'off', ...named }, { evaluator: 'interpreted' })).toEqual(d);
      const sent = d.receivedContract === 'refund_order@1' ? v1.use : refund.contract;
      const invalid = sent.validate(p, '/proposal');
      if (invalid.length) {
        expect(d.outcome).toBe('reject');
        expect(d.errors.map((e) => e.code)).toEqual(expect.arrayContaining([...new Set(invalid.map((e) => e.code))]));
        return;
      }
      expect(d.errors.filter((e) => e.code.startsWith('contract.'))).toEqual([]);
      if (d.receivedContract === 'refund_order@1') {
        const current = decide(policy, { action: 'refund_order', proposal: { refund_method: 'original_payment', ...(p as object) }, context, now: NOW, explain: 'off' });
        expect({ ...d, receivedContract: current.receivedContract }).toEqual(current);
      }
    }), fuzzParams(96000));
  }, fuzzTimeout());
});
