/**
 * The review queue under the store conformance suite: items written with their decisions,
 * verdicts appended to the chain under their conditions (pending, the hash seen, before expiry),
 * one winner of any race, edits recorded with their new proposal, on every store adapter.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { payloadHash } from '../adapters/stores/record.js';
import type { AppendItem, ReviewRecord, Store } from '../adapters/stores/store.js';
import type { Decision } from '../engine/index.js';
import type { ReviewEvent, ReviewItem } from '../gate/ports.js';
import { describeStores } from './helpers/stores.js';

const T0 = '2026-11-21T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

const decision = (outcome: Decision['outcome'] = 'review', tier = 'low'): Decision => ({
  action: 'create_support_ticket', outcome, reasons: [], risk: { score: tier === 'high' ? 70 : 10, tier, signals: [] }, errors: [], shadow: { outcome, reasons: [] },
  fired: { enforce: [], shadow: [] }, revision: 'sha256:test', contract: 'create_support_ticket@1', receivedContract: 'create_support_ticket@1', context: null, engine: '0.1.0', now: T0,
});

function reviewItem(over: Partial<ReviewItem> = {}): ReviewItem {
  return { queue: 'support', riskTier: 'low', riskScore: 10, sideEffects: 'reversible_write', rules: ['ticket.urgent_without_premium'], messages: ['urgent priority for a standard customer'], entity: 'c-1', expiresAt: at(3600), onExpiry: 'reject', editOf: null, ...over };
}

const requestOf = (id: string) => JSON.stringify({ proposal: { n: id }, context: {} });
/** The proposal hash the store computes for item `id`'s request (unless the test gives it another). */
const hashOf = (x: AppendItem) => payloadHash(x.action, x.requestJson);

function item(over: Partial<AppendItem> = {}, review: Partial<ReviewItem> | null = {}): AppendItem {
  const id = randomUUID();
  return {
    id, action: 'create_support_ticket', outcome: 'review', idempotencyKey: null, recordedAt: T0, caller: 'service', ttlMs: 86_400_000,
    requestJson: requestOf(id), decisionJson: JSON.stringify(decision()),
    ...(review ? { review: reviewItem(review) } : {}), ...over,
  };
}

function event(decisionId: string, over: Partial<ReviewEvent> = {}): ReviewEvent {
  return { kind: 'review', id: randomUUID(), decisionId, action: 'create_support_ticket', recordedAt: at(60), caller: 'alice', verdict: 'approve', proposalHash: payloadHash('create_support_ticket', requestOf(decisionId)), ...over };
}

const ALL = { queues: ['support', 'payments'], limit: 50 };

describeStores('review queue', ({ open, opened }) => {

  it('writes a review item with its decision, once, and lists pending items by time left, then risk', async () => {
    const { store } = await open();
    const late = item({}, { expiresAt: at(7200) });
    const risky = item({}, { riskTier: 'high', riskScore: 70, rules: ['ticket.many_open', 'ticket.urgent_without_premium'] });
    const calm = item();
    const keyed = item({ idempotencyKey: 'k1' });
    for (const x of [late, calm, risky, keyed]) expect((await store.append(x)).kind).toBe('created');
    expect((await store.append({ ...item({ idempotencyKey: 'k1' }), requestJson: keyed.requestJson })).kind).toBe('replayed');
    await store.append(item({ outcome: 'approve' }, null));
    const pending = await store.reviews({ ...ALL, status: 'pending' });
    expect(pending.items.map((r) => r.id)).toEqual([risky.id, ...[calm.id, keyed.id].sort(), late.id]);
    expect(pending.items[0]).toEqual({
      ...reviewItem({ riskTier: 'high', riskScore: 70, rules: ['ticket.many_open', 'ticket.urgent_without_premium'] }),
      id: risky.id, action: 'create_support_ticket', submitter: 'service', proposalHash: hashOf(risky), createdAt: T0,
      status: 'pending', decidedBy: null, decidedAt: null, reason: null, next: null, lastEvent: null,
    });
    expect((await store.reviews({ ...ALL, status: 'pending', rule: 'ticket.many_open' })).items.map((r) => r.id)).toEqual([risky.id]);
    expect((await store.reviews({ ...ALL, status: 'pending', tier: 'high' })).items.map((r) => r.id)).toEqual([risky.id]);
    expect((await store.reviews({ ...ALL, queues: ['payments'], status: 'pending' })).items).toEqual([]);
    expect((await store.reviews({ ...ALL, queues: [], status: 'pending' })).items).toEqual([]);
    const page = await store.reviews({ ...ALL, status: 'pending', limit: 3 });
    expect(page.next).toBe(3);
    expect((await store.reviews({ ...ALL, status: 'pending', limit: 3, offset: 3 })).items.map((r) => r.id)).toEqual([late.id]);
    expect(await store.queueDepth()).toEqual([{ queue: 'support', pending: 4, oldestAt: T0 }]);
  });

  it('appends a verdict to the chain and closes the item; the log lists decisions only, and verifies', async () => {
    const { store } = await open();
    const x = item();
    await store.append(x);
    const v = event(x.id, { reason: { code: 'ok', text: 'fine' } });
    const r = await store.appendReview(v);
    expect(r).toMatchObject({ kind: 'created', id: v.id, seq: 2, review: { id: x.id, status: 'approved', decidedBy: 'alice', decidedAt: at(60), reason: { code: 'ok', text: 'fine' }, lastEvent: v.id } });
    expect(await store.review(x.id)).toEqual(r.kind === 'created' ? r.review : undefined);
    expect(await store.verify()).toEqual({ ok: true, count: 2 });
    const records = [];
    for await (const rec of store.export()) records.push(rec);
    expect(records[1]).toEqual({
      id: v.id, seq: 2, kind: 'review', action: 'create_support_ticket', recordedAt: at(60), caller: 'alice', idempotencyKey: null, decisionId: x.id,
      review: { verdict: 'approve', outcome: 'approve', proposalHash: hashOf(x), reason: { code: 'ok', text: 'fine' } },
    } satisfies ReviewRecord);
    expect((await store.list({ limit: 10 })).items.map((d) => d.id)).toEqual([x.id]);
    expect(await store.get(v.id)).toBeUndefined();
    expect(await store.queueDepth()).toEqual([]);
    expect((await store.reviews({ ...ALL, status: 'closed' })).items.map((i) => i.id)).toEqual([x.id]);
  });

  it('lets exactly one of many concurrent verdicts win; the others write nothing and see the winner', async () => {
    const { store } = await open();
    const x = item();
    await store.append(x);
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((who, i) => store.appendReview(event(x.id, { caller: who, verdict: i % 2 ? 'reject' : 'approve' }))));
    const won = results.filter((r) => r.kind === 'created');
    expect(won.length).toBe(1);
    const winner = won[0]!.kind === 'created' ? won[0]!.review : undefined;
    for (const r of results.filter((q) => q.kind === 'refused')) expect(r).toEqual({ kind: 'refused', review: winner });
    expect(await store.verify()).toEqual({ ok: true, count: 2 });
  });

  it('lets one of two replicas win a verdict race and an expiry race on one database', async () => {
    const o = await open();
    const other = await o.reopen();
    opened.push({ ...o, store: other });
    const x = item(), y = item({}, { expiresAt: at(30) });
    await o.store.append(x);
    await o.store.append(y);
    const verdicts = await Promise.all([o.store.appendReview(event(x.id, { caller: 'alice' })), other.appendReview(event(x.id, { caller: 'bob', verdict: 'reject', reason: { text: 'no' } }))]);
    expect(verdicts.map((r) => r.kind).sort()).toEqual(['created', 'refused']);
    const expiries = await Promise.all([o.store, other].map((s) => s.appendReview(event(y.id, { verdict: 'expire', caller: 'arbiter', recordedAt: at(31) }))));
    expect(expiries.map((r) => r.kind).sort()).toEqual(['created', 'refused']);
    expect(await other.verify()).toEqual({ ok: true, count: 4 });
  });

  it('refuses a verdict on another hash, a missing item, and one after the expiry; the sweeper expires it once', async () => {
    const { store } = await open();
    const x = item({}, { expiresAt: at(30) });
    await store.append(x);
    expect(await store.appendReview(event(x.id, { proposalHash: 'other', recordedAt: at(10) }))).toMatchObject({ kind: 'refused', review: { status: 'pending' } });
    expect(await store.appendReview(event('nope'))).toEqual({ kind: 'refused', review: undefined });
    expect(await store.appendReview(event(x.id, { recordedAt: at(30) }))).toMatchObject({ kind: 'refused', review: { status: 'pending' } });
    expect(await store.dueReviews(at(29), 10)).toEqual([]);
    expect((await store.dueReviews(at(30), 10)).map((r) => r.id)).toEqual([x.id]);
    const expire = (caller: string) => store.appendReview(event(x.id, { verdict: 'expire', caller, recordedAt: at(31), reason: { code: 'expired', text: 'no one decided in time' } }));
    const [a, b] = await Promise.all([expire('arbiter'), expire('arbiter')]);
    expect([a.kind, b.kind].sort()).toEqual(['created', 'refused']);
    expect(await store.review(x.id)).toMatchObject({ status: 'expired', decidedBy: 'arbiter', decidedAt: at(31) });
    expect(await store.dueReviews(at(40), 10)).toEqual([]);
    expect(await store.verify()).toEqual({ ok: true, count: 2 });
  });

  it('never sweeps an item whose action keeps it pending past its time', async () => {
    const { store } = await open();
    const x = item({}, { expiresAt: at(30), onExpiry: 'review' });
    await store.append(x);
    expect(await store.dueReviews(at(100), 10)).toEqual([]);
    expect((await store.appendReview(event(x.id, { verdict: 'expire', recordedAt: at(100) }))).kind).toBe('refused');
    expect((await store.appendReview(event(x.id, { recordedAt: at(100) }))).kind).toBe('created');
  });

  it('extends a pending item, as a record in the chain; a closed one cannot be extended', async () => {
    const { store } = await open();
    const x = item({}, { expiresAt: at(120) });
    await store.append(x);
    const ext = event(x.id, { verdict: 'extend', expiresAt: at(4000) });
    expect(await store.appendReview(ext)).toMatchObject({ kind: 'created', review: { status: 'pending', expiresAt: at(4000), lastEvent: ext.id } });
    expect(await store.dueReviews(at(3000), 10)).toEqual([]);
    await store.appendReview(event(x.id, { verdict: 'reject', caller: 'bob', reason: { text: 'no' } }));
    expect((await store.appendReview(event(x.id, { verdict: 'extend', expiresAt: at(9000) }))).kind).toBe('refused');
    const records = [];
    for await (const rec of store.export()) records.push(rec);
    expect(records.map((r) => ('kind' in r ? `${r.kind}:${r.kind === 'review' ? r.review.verdict : r.kind === 'delivery' ? r.delivery.op : r.exception.op}` : r.decision.outcome))).toEqual(['review', 'review:extend', 'review:reject']);
    expect((records[1] as ReviewRecord).review).toEqual({ verdict: 'extend', outcome: null, proposalHash: hashOf(x), expiresAt: at(4000) });
    expect(await store.verify()).toEqual({ ok: true, count: 3 });
  });

  it('records an edit and its new proposal in one transaction, linked both ways; a lost edit records neither', async () => {
    const { store } = await open();
    const x = item();
    await store.append(x);
    const next = item({ recordedAt: at(60), caller: 'alice', editOf: x.id }, { editOf: x.id });
    const r = await store.appendReview(event(x.id, { verdict: 'edit', next }));
    expect(r).toMatchObject({ kind: 'created', seq: 2, review: { status: 'edited', next: next.id } });
    expect(await store.get(next.id)).toMatchObject({ id: next.id, seq: 3, editOf: x.id, caller: 'alice' });
    expect(await store.review(next.id)).toMatchObject({ status: 'pending', editOf: x.id, submitter: 'alice' });
    const lost = item({ editOf: x.id }, { editOf: x.id });
    expect((await store.appendReview(event(x.id, { verdict: 'edit', caller: 'bob', next: lost }))).kind).toBe('refused');
    expect(await store.get(lost.id)).toBeUndefined();
    expect(await store.review(lost.id)).toBeUndefined();
    expect(await store.verify()).toEqual({ ok: true, count: 3 });
  });

  it('names a verdict record that was edited', async () => {
    const o = await open();
    const x = item();
    await o.store.append(x);
    await o.store.appendReview(event(x.id, { verdict: 'reject', reason: { text: 'no' } }));
    await o.raw(`UPDATE decisions SET record = replace(record, '"verdict":"reject"', '"verdict":"approve"') WHERE seq = 2`);
    expect(await o.store.verify()).toMatchObject({ ok: false, problem: { seq: 2, reason: 'seq 2 was edited: its content does not match its hash' } });
    const p = await open();
    const y = item();
    await p.store.append(y);
    await p.store.appendReview(event(y.id, { verdict: 'reject', reason: { text: 'no' } }));
    await p.raw("UPDATE decisions SET outcome = 'approved' WHERE seq = 2");
    expect(await p.store.verify()).toMatchObject({ ok: false, problem: { seq: 2, reason: 'seq 2 was edited: its outcome column does not match its record' } });
  });

  it('keeps the queue across a reopen', async () => {
    const o = await open();
    const x = item();
    await o.store.append(x);
    await o.store.close();
    const again: Store = await o.reopen();
    opened.push({ ...o, store: again });
    expect((await again.reviews({ ...ALL, status: 'pending' })).items.map((r) => r.id)).toEqual([x.id]);
    expect((await again.appendReview(event(x.id))).kind).toBe('created');
  });
});
