/**
 * The review API on every store: each transition (approve, reject, edit, extend, expire), each
 * race, a hash the reviewer did not see, self-review, scopes and the batch rules, each answer
 * checked with its code and message, and the log verified after.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ReviewRecord } from '../adapters/stores/store.js';
import { expireDue } from '../gate/reviews.js';
import { reviewPorts, reviewTick } from '../server/routes/reviews.js';
import { testGate, type TestGate } from './helpers/gate.js';
import { refund, ticket } from './helpers/reviews.js';
import { postgres, sqlite, type Opened } from './helpers/stores.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const json = async (r: Response) => (await r.json()) as Json;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');

for (const factory of [sqlite, postgres]) {
  describe.skipIf(Boolean(factory.skip))(`review API: ${factory.name}${factory.skip ? ` (${factory.skip})` : ''}`, () => {
    const opened: Opened[] = [];
    afterAll(async () => { for (const o of opened) await o.store.close(); });
    let now = T0;
    const gate = async (files?: Map<string, string>): Promise<TestGate> => {
      const o = await factory.open();
      opened.push(o);
      now = T0;
      return testGate({ store: o.store, clock: () => new Date(now), ...(files ? { files } : {}) });
    };
    /** Submits a proposal; answers its decision and, when it went to review, the hash a reviewer sees. */
    const submit = async (g: TestGate, body: unknown, key = g.keys.service) => {
      const d = await json(await g.post('/v1/decisions', body, key));
      const item = d.outcome === 'review' ? await json(await g.get(`/v1/reviews/${d.id}`, g.keys.alice)) : undefined;
      return { id: d.id as string, decision: d, hash: item?.review.proposalHash as string };
    };
    const verdict = (g: TestGate, id: string, what: string, body: unknown, key: string) => g.post(`/v1/reviews/${id}/${what}`, body, key);

    it('queues a review decision, shows everything about it, and lists it by time left and risk', async () => {
      const g = await gate();
      const low = await submit(g, ticket({ proposal: { customer_id: 'c-7' } }));
      now += 1000;
      const high = await submit(g, ticket({ high: true }));
      const money = await submit(g, refund());
      expect(low.decision).toMatchObject({ outcome: 'review', reasons: [{ rule: 'ticket.urgent_without_premium' }], risk: { tier: 'low' } });
      const list = await json(await g.get('/v1/reviews', g.keys.alice));
      // Refunds wait 24 h, tickets 2 h; the same expiry puts the riskier item first.
      expect(list.items.map((i: Json) => i.id)).toEqual([low.id, high.id, money.id]);
      expect(list.items[0]).toMatchObject({ queue: 'support', status: 'pending', riskTier: 'low', submitter: 'service', entity: 'c-7', messages: ['urgent priority for a standard customer'] });
      expect((await json(await g.get('/v1/reviews?tier=high', g.keys.alice))).items.map((i: Json) => i.id)).toEqual([high.id]);
      expect((await json(await g.get('/v1/reviews?rule=refund.large_needs_person', g.keys.alice))).items.map((i: Json) => i.id)).toEqual([money.id]);
      expect((await json(await g.get('/v1/reviews?older_than=1s', g.keys.alice))).items.map((i: Json) => i.id)).toEqual([low.id]);
      expect((await json(await g.get('/v1/reviews?older_than=1w', g.keys.alice))).error.code).toBe('invalid_request');
      expect((await json(await g.get('/v1/reviews', g.keys.bob))).items.map((i: Json) => i.id)).toEqual([low.id, high.id]);
      const forbidden = await g.get('/v1/reviews?queue=payments', g.keys.bob);
      expect(forbidden.status).toBe(403);
      expect(await json(forbidden)).toEqual({ error: { code: 'forbidden', message: 'API key `bob` lacks scope `review:payments`' } });

      const detail = await json(await g.get(`/v1/reviews/${money.id}`, g.keys.alice));
      expect(detail).toMatchObject({
        review: { id: money.id, queue: 'payments', action: 'refund_order', riskTier: 'medium', rules: ['refund.large_needs_person'], entity: 'o-8812' },
        caller: 'service', request: { proposal: { amount: 650 }, context: { order: { total: 720 } } },
        decision: { reasons: [{ rule: 'refund.large_needs_person', message: 'refund of 650 EUR for a standard customer needs a person' }], trace: { level: 'summary' } },
        contract: { title: 'refund_order@2: a refund of one order' },
        preview: [{ field: '/amount', current: 720, proposed: 650 }],
        presets: [{ code: 'wrong_amount', text: 'the amount is not what the customer is owed' }, { code: 'no_evidence', text: 'nothing supports the reason given' }, { code: 'suspected_fraud', text: 'the pattern looks like refund abuse' }],
        selfReview: false, batch: '`refund_order` has financial side effects: approve it on its own', history: [],
      });
      expect((await g.get(`/v1/reviews/${money.id}`, g.keys.bob)).status).toBe(404);
    });

    it('approves with the hash seen; the decision shows the final outcome and reviewer; the verdict is in the verified log', async () => {
      const g = await gate();
      const t = await submit(g, ticket());
      now += 90_000;
      const r = await verdict(g, t.id, 'approve', { proposalHash: t.hash }, g.keys.alice);
      expect(r.status).toBe(200);
      expect((await json(r)).review).toMatchObject({ id: t.id, status: 'approved', decidedBy: 'alice', decidedAt: new Date(now).toISOString() });
      const d = await json(await g.get(`/v1/decisions/${t.id}`, g.keys.reader));
      expect(d).toMatchObject({ outcome: 'review', review: { status: 'approved' }, final: { outcome: 'approve', by: 'alice', reason: null, at: new Date(now).toISOString() } });
      const records = [];
      for await (const rec of g.deps.store.export()) records.push(rec);
      expect(records[1]).toMatchObject({ kind: 'review', caller: 'alice', decisionId: t.id, review: { verdict: 'approve', outcome: 'approve', proposalHash: t.hash } } satisfies Partial<ReviewRecord>);
      expect(await g.deps.store.verify()).toEqual({ ok: true, count: 2 });
      const metrics = await (await g.app.request('/metrics')).text();
      expect(metrics).toContain('arbiter_review_verdicts_total{queue="support",status="approved",reviewer="alice"} 1');
      expect(metrics).toContain('arbiter_review_time_to_decide_seconds_bucket{le="300",queue="support"} 1');
      expect(metrics).toContain('arbiter_review_time_to_decide_seconds_bucket{le="60",queue="support"} 0');
      expect(g.logs.find((l) => l.route === '/v1/reviews/:id/approve')).toMatchObject({ status: 200, key: 'alice', review: t.id, action: 'create_support_ticket', queue: 'support', closed: 'approved' });
      // A decision that never went to review is final as decided.
      const direct = await submit(g, ticket({ proposal: { priority: 'normal' } }));
      expect((await json(await g.get(`/v1/decisions/${direct.id}`, g.keys.reader))).final).toEqual({ outcome: 'approve', by: null, reason: null, at: new Date(now).toISOString() });
    });

    it('rejects only with a reason: a preset of the action, or free text', async () => {
      const g = await gate();
      const a = await submit(g, refund()), b = await submit(g, refund(700));
      const none = await verdict(g, a.id, 'reject', { proposalHash: a.hash }, g.keys.alice);
      expect(none.status).toBe(400);
      expect((await json(none)).error).toEqual({ code: 'invalid_reason', message: 'a reject needs a reason: `reason.code`, a preset of the action, or `reason.text`' });
      const unknown = await json(await verdict(g, a.id, 'reject', { proposalHash: a.hash, reason: { code: 'tone' } }, g.keys.alice));
      expect(unknown.error).toEqual({ code: 'invalid_reason', message: '`tone` is not a reason of `refund_order`; its presets are `wrong_amount`, `no_evidence`, `suspected_fraud`, or give `text`', details: { presets: ['wrong_amount', 'no_evidence', 'suspected_fraud'] } });
      expect((await json(await verdict(g, a.id, 'reject', { proposalHash: a.hash, reason: { code: 'no_evidence' } }, g.keys.alice))).review)
        .toMatchObject({ status: 'rejected', reason: { code: 'no_evidence', text: 'nothing supports the reason given' } });
      expect((await json(await verdict(g, b.id, 'reject', { proposalHash: b.hash, reason: { text: '  the order was already refunded  ' } }, g.keys.alice))).review)
        .toMatchObject({ status: 'rejected', reason: { text: 'the order was already refunded' } });
      expect((await json(await g.get(`/v1/decisions/${b.id}`, g.keys.reader))).final).toMatchObject({ outcome: 'reject', by: 'alice', reason: { text: 'the order was already refunded' } });
    });

    it('answers 409 to a verdict on a proposal hash the store does not hold, and leaves the item pending', async () => {
      const g = await gate();
      const t = await submit(g, ticket()), other = await submit(g, ticket());
      const r = await verdict(g, t.id, 'approve', { proposalHash: other.hash }, g.keys.alice);
      expect(r.status).toBe(409);
      expect((await json(r)).error).toEqual({
        code: 'proposal_changed', message: `the proposal of review \`${t.id}\` is not the one you saw: its hash is \`${t.hash}\`, not \`${other.hash}\`; reload it`, details: { proposalHash: t.hash },
      });
      expect((await json(await g.get(`/v1/decisions/${t.id}`, g.keys.reader))).final.outcome).toBe('review');
      expect(await g.deps.store.verify()).toEqual({ ok: true, count: 2 });
    });

    it('lets exactly one of two reviewers win; the other is told who decided', async () => {
      const g = await gate();
      const t = await submit(g, ticket());
      const [a, b] = await Promise.all([
        verdict(g, t.id, 'approve', { proposalHash: t.hash }, g.keys.alice),
        verdict(g, t.id, 'reject', { proposalHash: t.hash, reason: { code: 'duplicate' } }, g.keys.bob),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const [winner, loser] = a.status === 200 ? ['alice', b] : ['bob', a];
      const status = winner === 'alice' ? 'approved' : 'rejected';
      expect((await json(loser)).error).toEqual({
        code: 'already_decided', message: `review \`${t.id}\` was already ${status} by \`${winner}\` at ${new Date(now).toISOString()}`,
        details: { status, decidedBy: winner, decidedAt: new Date(now).toISOString() },
      });
      expect(await g.deps.store.verify()).toEqual({ ok: true, count: 2 });
    });

    it('refuses self-review unless the action allows it, and a key without the queue scope', async () => {
      const g = await gate();
      const t = await submit(g, ticket(), g.keys.deskbot);
      const self = await verdict(g, t.id, 'approve', { proposalHash: t.hash }, g.keys.deskbot);
      expect(self.status).toBe(403);
      expect((await json(self)).error).toEqual({ code: 'self_review', message: 'API key `deskbot` submitted this proposal, so another reviewer must decide it (the action\'s `self_review` is `forbid`)' });
      const money = await submit(g, refund());
      const scope = await verdict(g, money.id, 'approve', { proposalHash: money.hash }, g.keys.bob);
      expect(scope.status).toBe(403);
      expect((await json(scope)).error).toEqual({ code: 'forbidden', message: 'API key `bob` lacks scope `review:payments`' });
      expect((await verdict(g, money.id, 'approve', { proposalHash: money.hash }, g.keys.reader)).status).toBe(403);
      expect((await verdict(g, t.id, 'approve', { proposalHash: t.hash }, g.keys.bob)).status).toBe(200);

      const files = new Map(g.files);
      files.set('rules.registry.yaml', files.get('rules.registry.yaml')!.replace('      on_expiry: review # an overdue ticket stays in the queue\n', '      on_expiry: review\n      self_review: allow\n'));
      const h = await gate(files);
      const mine = await submit(h, ticket(), h.keys.deskbot);
      expect((await verdict(h, mine.id, 'approve', { proposalHash: mine.hash }, h.keys.deskbot)).status).toBe(200);
    });

    it('batch-approves low-risk items of one action, refuses high-risk and financial items one by one, and never mixes actions', async () => {
      const g = await gate();
      const low = [await submit(g, ticket()), await submit(g, ticket()), await submit(g, ticket())];
      const high = await submit(g, ticket({ high: true }));
      const stale = await submit(g, ticket());
      const items = [...low, high].map((t) => ({ id: t.id, proposalHash: t.hash })).concat({ id: stale.id, proposalHash: low[0]!.hash });
      const r = await json(await g.post('/v1/reviews/batch', { verdict: 'approve', items }, g.keys.alice));
      expect(r.items.map((a: Json) => (a.ok ? `${a.id}:${a.review.status}` : `${a.id}:${a.error.code}`))).toEqual([
        ...low.map((t) => `${t.id}:approved`), `${high.id}:batch_refused`, `${stale.id}:proposal_changed`,
      ]);
      expect(r.items[3].error.message).toBe('risk tier `high` is above `medium`: approve it on its own');
      const records = [];
      for await (const rec of g.deps.store.export()) if ('kind' in rec && rec.kind === 'review') records.push(rec.review);
      expect(records).toEqual(low.map((t) => ({ verdict: 'approve', outcome: 'approve', proposalHash: t.hash, batch: true })));

      const money = [await submit(g, refund()), await submit(g, refund(600))];
      const mixed = await g.post('/v1/reviews/batch', { verdict: 'approve', items: [money[0], high].map((t) => ({ id: t!.id, proposalHash: t!.hash })) }, g.keys.alice);
      expect(mixed.status).toBe(422);
      expect((await json(mixed)).error).toEqual({ code: 'batch_refused', message: 'a batch approval is for items of one action; these are of `create_support_ticket`, `refund_order`', details: { actions: ['create_support_ticket', 'refund_order'] } });
      const financial = await json(await g.post('/v1/reviews/batch', { verdict: 'approve', items: money.map((t) => ({ id: t.id, proposalHash: t.hash })) }, g.keys.alice));
      expect(financial.items.map((a: Json) => a.error?.message)).toEqual(Array(2).fill('`refund_order` has financial side effects: approve it on its own'));
      const rejected = await json(await g.post('/v1/reviews/batch', { verdict: 'reject', reason: { code: 'no_evidence' }, items: [...money, high].map((t) => ({ id: t.id, proposalHash: t.hash })) }, g.keys.alice));
      expect(rejected.items.map((a: Json) => a.ok && a.review.status)).toEqual(['rejected', 'rejected', false]);
      expect(rejected.items[2].error.code).toBe('invalid_reason');
      expect(await g.deps.store.verify()).toEqual({ ok: true, count: 7 + 5 });
    });

    it('records an edit as a new proposal, gated again: a change that hits a reject rule is rejected, and the original is closed as edited', async () => {
      const g = await gate();
      const body = ticket();
      const t = await submit(g, body);
      const calmer = await json(await verdict(g, t.id, 'edit', { proposalHash: t.hash, changes: { priority: 'normal' } }, g.keys.alice));
      expect(calmer.review).toMatchObject({ id: t.id, status: 'edited', decidedBy: 'alice', next: calmer.next.id });
      expect(calmer.next).toMatchObject({ outcome: 'approve', reasons: [], editOf: t.id });
      expect(await json(await g.get(`/v1/decisions/${t.id}`, g.keys.reader))).toMatchObject({ final: { outcome: 'edited', by: 'alice', next: calmer.next.id } });
      expect(await json(await g.get(`/v1/decisions/${calmer.next.id}`, g.keys.reader))).toMatchObject({ editOf: t.id, caller: 'alice', idempotencyKey: null, final: { outcome: 'approve' } });
      expect((await json(await g.get(`/v1/decisions/${calmer.next.id}`, g.keys.reader))).request).toEqual({ proposal: { ...body.proposal, priority: 'normal' }, context: body.context });

      const u = await submit(g, ticket());
      const proposal = (await json(await g.get(`/v1/reviews/${u.id}`, g.keys.alice))).request.proposal;
      const sneaky = await json(await verdict(g, u.id, 'edit', { proposalHash: u.hash, changes: { subject: proposal.description } }, g.keys.alice));
      expect(sneaky.next).toMatchObject({ outcome: 'reject', reasons: [{ rule: 'ticket.subject_repeats_description', outcome: 'reject' }, { rule: 'ticket.urgent_without_premium', outcome: 'review' }] });
      const v = await submit(g, ticket());
      const broken = await json(await verdict(g, v.id, 'edit', { proposalHash: v.hash, changes: { priority: 'whenever' } }, g.keys.alice));
      expect(broken.next).toMatchObject({ outcome: 'reject', errors: [{ pointer: '/proposal/priority' }] });
      // Still urgent: the edit goes back to the queue, and its editor may not approve it.
      const w = await submit(g, ticket());
      const again = await json(await verdict(g, w.id, 'edit', { proposalHash: w.hash, changes: { category: 'shipping' } }, g.keys.alice));
      expect(again.next.outcome).toBe('review');
      const next = await json(await g.get(`/v1/reviews/${again.next.id}`, g.keys.alice));
      expect(next.review).toMatchObject({ status: 'pending', editOf: w.id, submitter: 'alice' });
      expect((await verdict(g, again.next.id, 'approve', { proposalHash: next.review.proposalHash }, g.keys.alice)).status).toBe(403);
      const late = await verdict(g, w.id, 'edit', { proposalHash: w.hash, changes: { category: 'other' } }, g.keys.bob);
      expect((await json(late)).error).toMatchObject({ code: 'already_decided', details: { status: 'edited', decidedBy: 'alice', next: again.next.id } });
      expect(await g.deps.store.verify()).toEqual({ ok: true, count: 12 });
      // The edited proposals are decisions like any other, in the metrics too.
      const metrics = await (await g.app.request('/metrics')).text();
      expect(metrics).toContain('arbiter_decisions_total{action="create_support_ticket",outcome="reject",replayed="false"} 2');
      expect(metrics).toContain('arbiter_rules_fired_total{action="create_support_ticket",rule="ticket.subject_repeats_description",mode="enforce"} 1');
    });

    it('extends a pending item as an audited record, and the sweeper expires what nobody decided, once', async () => {
      const g = await gate();
      const money = await submit(g, refund());
      const keep = await submit(g, refund(620));
      const ext = await json(await verdict(g, keep.id, 'extend', { proposalHash: keep.hash, by: '2h' }, g.keys.alice));
      expect(ext.review).toMatchObject({ status: 'pending', expiresAt: new Date(T0 + 26 * 3600_000).toISOString() });
      expect((await json(await verdict(g, keep.id, 'extend', { proposalHash: keep.hash, by: '8d' }, g.keys.alice))).error.message).toBe('`by` is a duration from 1s to 7d, such as `4h`, not `8d`');
      now = T0 + 24 * 3600_000;
      const late = await verdict(g, money.id, 'approve', { proposalHash: money.hash }, g.keys.alice);
      expect((await json(late)).error).toEqual({ code: 'review_expired', message: `review \`${money.id}\` expired at ${new Date(now).toISOString()}; it is rejected`, details: { expiresAt: new Date(now).toISOString() } });
      const ports = reviewPorts(g.deps);
      const [a, b] = await Promise.all([expireDue(ports), expireDue(ports)]);
      expect([...a, ...b].map((r) => r.id)).toEqual([money.id]);
      expect(await json(await g.get(`/v1/decisions/${money.id}`, g.keys.reader))).toMatchObject({
        review: { status: 'expired' }, final: { outcome: 'reject', by: 'arbiter', reason: { code: 'expired', text: 'nobody decided within 24h' } },
      });
      expect((await json(await verdict(g, money.id, 'approve', { proposalHash: money.hash }, g.keys.alice))).error.code).toBe('already_decided');
      expect((await g.deps.store.review(keep.id))?.status).toBe('pending');
      // The support queue keeps overdue tickets: nothing sweeps them; the extended refund's time is up now.
      const t = await submit(g, ticket());
      now += 3 * 3600_000;
      expect((await expireDue(ports)).map((r) => r.id)).toEqual([keep.id]);
      expect((await verdict(g, t.id, 'approve', { proposalHash: t.hash }, g.keys.alice)).status).toBe(200);
      const kinds = [];
      for await (const rec of g.deps.store.export()) kinds.push('kind' in rec ? (rec.kind === 'review' ? rec.review.verdict : rec.kind === 'delivery' ? rec.delivery.op : rec.exception.op) : rec.decision.outcome);
      expect(kinds).toEqual(['review', 'review', 'extend', 'expire', 'review', 'expire', 'approve']);
      expect(await g.deps.store.verify()).toEqual({ ok: true, count: 7 });
    });

    it('long-polls a pending decision until a verdict makes it final', async () => {
      const g = await gate();
      const t = await submit(g, ticket());
      const pending = await json(await g.get(`/v1/decisions/${t.id}?wait=1`, g.keys.reader));
      expect(pending.final).toEqual({ outcome: 'review', by: null, reason: null, at: null });
      const polling = g.get(`/v1/decisions/${t.id}?wait=30`, g.keys.reader);
      await new Promise((r) => setTimeout(r, 50));
      await verdict(g, t.id, 'reject', { proposalHash: t.hash, reason: { code: 'not_urgent' } }, g.keys.alice);
      expect((await json(await polling)).final).toMatchObject({ outcome: 'reject', by: 'alice', reason: { code: 'not_urgent', text: 'the priority is higher than the problem' } });
      expect((await g.get(`/v1/decisions/${t.id}?wait=600`, g.keys.reader)).status).toBe(400);
    });

    it('counts the real queue depth from the store, and summarises the queue for the strip', async () => {
      const g = await gate();
      const ts = [await submit(g, ticket()), await submit(g, ticket()), await submit(g, ticket())];
      await submit(g, refund());
      now += 60_000;
      await verdict(g, ts[0]!.id, 'approve', { proposalHash: ts[0]!.hash }, g.keys.alice);
      now += 60_000;
      await verdict(g, ts[1]!.id, 'reject', { proposalHash: ts[1]!.hash, reason: { code: 'duplicate' } }, g.keys.alice);
      await reviewTick(g.deps);
      const metrics = await (await g.app.request('/metrics')).text();
      expect(metrics).toMatch(/arbiter_review_queue_depth\{queue="payments"\} 1\n/);
      expect(metrics).toMatch(/arbiter_review_queue_depth\{queue="support"\} 1\n/);
      expect(await json(await g.get('/v1/reviews/stats', g.keys.alice))).toEqual({
        pending: 2, queues: [{ queue: 'payments', pending: 1 }, { queue: 'support', pending: 1 }], decided: 2, expired: 0, medianSecondsToDecide: 60,
        byRule: [{ rule: 'ticket.urgent_without_premium', decided: 2, approved: 1, approvalRate: 0.5 }],
      });
      expect((await json(await g.get('/v1/reviews/stats', g.keys.bob))).queues).toEqual([{ queue: 'support', pending: 1 }]);
    });
  });
}
