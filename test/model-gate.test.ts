/**
 * What the gate does with a model's proposal: the record keeps who proposed it, and a proposal
 * the model never got right is recorded as a review that holds every attempt's report, which
 * no one may approve as it is: it is edited into a valid proposal (decided afresh) or rejected.
 * A property test tries to turn a model failure into an approval.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropicModel } from '../adapters/models/anthropic/index.js';
import { script, startFakeMessages, type FakeMessages, type Step } from '../adapters/models/fake/server.js';
import { modelMember, type ActionContract, type ProposalResult } from '../adapters/models/types.js';
import { decide } from '../engine/index.js';
import { MODEL_INVALID, routeModelFailure, type ModelFailure } from '../gate/model-failure.js';
import { testGate, type TestGate } from './helpers/gate.js';
import { VALID } from './helpers/model.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const json = async (r: Response) => (await r.json()) as Json;
const CONTEXT = {
  order: { total: 720, currency: 'EUR', status: 'delivered', placed_at: '2026-11-02T09:12:00Z', delivered_at: '2026-11-06T14:00:00Z' },
  customer: { tier: 'standard', account_age_days: 610, prior_refunds_90d: 1, refunded_total_90d: '42.00' },
};
const NOW = '2026-11-21T10:00:00.000Z';

let fake: FakeMessages | undefined;
afterEach(async () => { await fake?.close(); fake = undefined; });

async function propose(g: TestGate, steps: Step[]): Promise<ProposalResult> {
  fake = await startFakeMessages(script(steps));
  const contract: ActionContract = { action: 'refund_order', schema: g.deps.policy.current.actions.get('refund_order')!.contract.schema };
  return createAnthropicModel({ contract: () => contract, baseURL: fake.url }, { ANTHROPIC_API_KEY: 'test-key' }).propose({ action: 'refund_order', input: 'refund 120 EUR for o-8812' });
}

const submit = (g: TestGate, r: ProposalResult, proposal = r.proposal) => g.post('/v1/decisions', { action: 'refund_order', proposal, context: CONTEXT, model: modelMember(r) }, g.keys.service);

describe('a model\'s proposal at the gate', () => {
  it('keeps the model\'s metadata with the request in the record, outside the idempotency identity', async () => {
    const g = testGate({ now: NOW });
    const r = await propose(g, [{ tool: VALID }]);
    const d = await json(await submit(g, r));
    expect(d).toMatchObject({ outcome: 'approve', reasons: [], errors: [], replayed: false });
    const stored = await json(await g.get(`/v1/decisions/${d.id}`, g.keys.reader));
    expect(stored.request).toEqual({ proposal: VALID, context: CONTEXT, model: r.meta });
    expect(stored.request.model).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-5-fake', promptVersion: 'propose/1', attempts: 1, requests: 1 });
    // A retry whose call took longer is the same proposal: it replays.
    const again = await json(await g.post('/v1/decisions', { action: 'refund_order', proposal: VALID, context: CONTEXT, model: { ...r.meta, latencyMs: r.meta.latencyMs + 999 } }, g.keys.service));
    expect(again).toMatchObject({ id: d.id, replayed: true });
  });

  it('refuses a model member of the wrong shape', async () => {
    const g = testGate({ now: NOW });
    const res = await g.post('/v1/decisions', { action: 'refund_order', proposal: VALID, context: CONTEXT, model: { provider: 'anthropic', model: 'x', promptVersion: 'p', attempts: 0 } }, g.keys.service);
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatchObject({ code: 'invalid_request', message: 'the request does not have the expected shape: `/model/attempts` must be >= 1' });
  });

  it('routes two invalid answers to review with both reports; approving is refused, editing decides afresh', async () => {
    const g = testGate({ now: NOW });
    const r = await propose(g, [{ tool: { ...VALID, amount: '120 EUR' } }, { tool: { ...VALID, order_id: '8812' } }]);
    expect(r.ok).toBe(false);
    const d = await json(await submit(g, r));
    expect(d.outcome).toBe('review');
    expect(d.reasons).toEqual([
      { kind: 'contract', outcome: 'review', message: 'model.invalid_proposal: attempt 1 of 2 broke the contract: `/amount` must be number' },
      { kind: 'contract', outcome: 'review', message: 'model.invalid_proposal: attempt 2 of 2 broke the contract: `/order_id` must match pattern "^o-[0-9]{1,12}$"' },
    ]);
    expect(d.errors.map((e: Json) => [e.code, e.pointer])).toEqual([[MODEL_INVALID, '/model/failure'], ['contract.pattern', '/proposal/order_id']]);

    const stored = await json(await g.get(`/v1/decisions/${d.id}`, g.keys.reader));
    expect(stored.request.model.failure).toEqual({ code: MODEL_INVALID, message: r.ok ? '' : r.message, reports: r.reports });
    expect(stored.request.model.failure.reports.map((x: Json) => x.errors.map((e: Json) => e.code))).toEqual([['contract.type'], ['contract.pattern']]);

    const item = await json(await g.get(`/v1/reviews/${d.id}`, g.keys.alice));
    expect(item.review).toMatchObject({ queue: 'payments', status: 'pending', messages: d.reasons.map((x: Json) => x.message) });
    const hash = item.review.proposalHash as string;

    const approve = await g.post(`/v1/reviews/${d.id}/approve`, { proposalHash: hash }, g.keys.alice);
    expect(approve.status).toBe(422);
    expect((await json(approve)).error).toEqual({ code: 'not_approvable', message: `the proposal of review \`${d.id}\` does not match its contract (\`model.invalid_proposal\`): edit it into a valid proposal, or reject it` });
    expect((await json(await g.get(`/v1/reviews/${d.id}`, g.keys.alice))).review.status).toBe('pending');

    const edited = await json(await g.post(`/v1/reviews/${d.id}/edit`, { proposalHash: hash, changes: { order_id: 'o-8812' } }, g.keys.alice));
    expect(edited.review).toMatchObject({ status: 'edited', decidedBy: 'alice' });
    expect(edited.next).toMatchObject({ outcome: 'approve', errors: [], reasons: [], editOf: d.id });
    const next = await json(await g.get(`/v1/decisions/${edited.next.id}`, g.keys.reader));
    expect(next.request.proposal).toEqual(VALID);
    expect(next.request).not.toHaveProperty('model');
    expect(await g.deps.store.verify()).toMatchObject({ ok: true });
  });

  it('lets a reviewer reject a proposal the model never got right', async () => {
    const g = testGate({ now: NOW });
    const r = await propose(g, [{ tool: {} }, { tool: {} }]);
    const d = await json(await submit(g, r));
    expect(d.outcome).toBe('review');
    expect(d.errors.map((e: Json) => e.code)).toEqual([MODEL_INVALID, ...Array(6).fill('contract.required')]);
    const hash = (await json(await g.get(`/v1/reviews/${d.id}`, g.keys.alice))).review.proposalHash as string;
    const rejected = await json(await g.post(`/v1/reviews/${d.id}/reject`, { proposalHash: hash, reason: { text: 'not a refund request' } }, g.keys.alice));
    expect(rejected).toMatchObject({ review: { status: 'rejected', reason: { text: 'not a refund request' } } });
  });

  it('keeps a rule\'s reject, and never approves a proposal that claims a failure', async () => {
    const g = testGate({ now: NOW });
    const failure = { provider: 'anthropic', model: 'm', promptVersion: 'propose/1', attempts: 2, failure: { code: MODEL_INVALID, reports: [{ attempt: 1, errors: [] }, { attempt: 2, errors: [] }] } };
    const big = await json(await g.post('/v1/decisions', { action: 'refund_order', proposal: { ...VALID, proposal_id: '7f1c2d3e-8a9b-4c5d-9e0f-1a2b3c4d5e6f', amount: 900 }, context: CONTEXT, model: failure }, g.keys.service));
    expect(big.outcome).toBe('reject');
    expect(big.reasons.map((x: Json) => x.rule ?? x.message)).toEqual(['refund.more_than_order_total', 'refund.large_needs_person', 'model.invalid_proposal: attempt 1 of 2 broke the contract: no errors reported', 'model.invalid_proposal: attempt 2 of 2 broke the contract: no errors reported']);
    const valid = await json(await g.post('/v1/decisions', { action: 'refund_order', proposal: VALID, context: CONTEXT, model: failure }, g.keys.service));
    expect(valid).toMatchObject({ outcome: 'review', reasons: [{ kind: 'contract', outcome: 'review' }, { kind: 'contract', outcome: 'review' }] });
  });
});

describe('routeModelFailure', () => {
  const policy = testGate().deps.policy.current;
  const reports = fc.array(fc.record({ attempt: fc.integer({ min: 1, max: 5 }), errors: fc.array(fc.record({ code: fc.string(), pointer: fc.string(), message: fc.string() }), { maxLength: 3 }) }), { minLength: 1, maxLength: 3 });
  const proposal = fc.record({
    proposal_id: fc.constantFrom(VALID.proposal_id, 'not-a-uuid'), order_id: fc.constantFrom('o-8812', '8812'), amount: fc.oneof(fc.integer({ min: -10, max: 2000 }), fc.constant('12')),
    currency: fc.constantFrom('EUR', 'USD', 'XXX'), reason: fc.constantFrom('damaged', 'changed_mind', 'nope'), refund_method: fc.constantFrom('original_payment', 'gift_card', 'card'),
  }, { requiredKeys: [] });

  it('never approves, and keeps every rule\'s reject', () => {
    fc.assert(fc.property(proposal, reports, fc.boolean(), (p, rs, withContext) => {
      const d = decide(policy, { action: 'refund_order', proposal: p, ...(withContext ? { context: CONTEXT } : {}), now: NOW });
      const routed = routeModelFailure(d, { code: MODEL_INVALID, reports: rs } satisfies ModelFailure);
      expect(routed.outcome).not.toBe('approve');
      expect(routed.shadow.outcome).not.toBe('approve');
      const ruleReject = d.reasons.some((x) => x.kind !== 'contract' && x.outcome === 'reject');
      expect(routed.outcome).toBe(ruleReject ? 'reject' : 'review');
      expect(routed.errors[0]).toMatchObject({ code: MODEL_INVALID });
      expect(routed.reasons.filter((x) => x.message.startsWith(`${MODEL_INVALID}:`))).toHaveLength(rs.length);
    }), { numRuns: 300 });
  });
});
