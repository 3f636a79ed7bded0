/**
 * The review queue's guarantees, tried against any interleaving of verdicts, expiries, extensions
 * and edits from several reviewers, with right and wrong hashes, early and late, sent one by one
 * or together: at most one record closes an item; every record in the chain was allowed when it
 * was written (the hash the reviewer saw, before the expiry as extended so far; an expiry only
 * after it); the item's row says what that record did; the chain verifies.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { payloadHash } from '../adapters/stores/record.js';
import { openSqlite } from '../adapters/stores/sqlite.js';
import type { ReviewRecord } from '../adapters/stores/store.js';
import { CLOSES, type ReviewEvent, type Verdict } from '../gate/ports.js';

const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
/** The identity hash the store computes for the decision's request. */
const HASH = payloadHash('a', '{"proposal":{},"context":{}}');

const event = fc.record({
  who: fc.constantFrom('alice', 'bob', 'carol'),
  verdict: fc.constantFrom<Verdict>('approve', 'reject', 'expire', 'extend', 'edit'),
  rightHash: fc.boolean(),
  second: fc.integer({ min: 0, max: 200 }),
});

describe('review queue properties', () => {
  it('closes an item at most once, and only by a record that was allowed when written', async () => {
    await fc.assert(fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 12 }), fc.boolean(), async (events, together) => {
      const store = openSqlite(':memory:');
      try {
        const id = randomUUID();
        await store.append({
          id, action: 'a', outcome: 'review', idempotencyKey: null, recordedAt: at(0), caller: 'svc', ttlMs: 1,
          requestJson: '{"proposal":{},"context":{}}', decisionJson: '{"outcome":"review"}',
          review: { queue: 'q', riskTier: 'low', riskScore: 0, sideEffects: 'none', rules: [], messages: [], entity: null, expiresAt: at(100), onExpiry: 'reject', editOf: null },
        });
        const evs: ReviewEvent[] = events.map((e) => ({
          kind: 'review', id: randomUUID(), decisionId: id, action: 'a', recordedAt: at(e.second), caller: e.who, verdict: e.verdict,
          proposalHash: e.rightHash ? HASH : 'another', ...(e.verdict === 'extend' ? { expiresAt: at(e.second + 60) } : {}),
          ...(e.verdict === 'edit' ? { next: { id: randomUUID(), action: 'a', outcome: 'approve', idempotencyKey: null, recordedAt: at(e.second), caller: e.who, ttlMs: 1, requestJson: '{"proposal":{},"context":{}}', decisionJson: '{"outcome":"approve"}', editOf: id } } : {}),
        }));
        if (together) await Promise.all(evs.map((e) => store.appendReview(e)));
        else for (const e of evs) await store.appendReview(e);

        let expiresAt = at(100);
        let closedBy: ReviewRecord | undefined;
        for await (const r of store.export()) {
          if (!('kind' in r) || r.kind !== 'review') continue;
          const v = r.review;
          expect(closedBy, 'nothing is recorded after the item closed').toBeUndefined();
          if (v.verdict === 'expire') expect(r.recordedAt >= expiresAt).toBe(true);
          else {
            expect(v.proposalHash).toBe(HASH);
            expect(r.recordedAt < expiresAt).toBe(true);
          }
          if (v.verdict === 'extend') expiresAt = v.expiresAt!;
          else closedBy = r;
        }
        const row = await store.review(id);
        expect(row).toMatchObject(closedBy ? { status: CLOSES[closedBy.review.verdict], decidedBy: closedBy.caller, lastEvent: closedBy.id } : { status: 'pending', expiresAt });
        expect((await store.verify()).ok).toBe(true);
      } finally {
        await store.close();
      }
    }), { numRuns: 150 });
  });
});
