/**
 * Idempotency keys are shared per action, but what they hold is not: a replay, and the id in a
 * conflict, go only to the API key that decided or to one that may read decisions. A key read
 * from the proposal is checked like the header form before it reaches a store.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKey, hashKey, KeyRing } from '../server/keys.js';
import { ROOT } from './helpers/cli.js';
import { postgres } from './helpers/stores.js';
import { testGate } from './helpers/gate.js';

const proposal = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
const refund = (over: Record<string, unknown> = {}) => ({ action: 'refund_order', proposal: { ...proposal, ...over }, context });

type Json = Record<string, unknown> & { error?: { code: string; message: string; details?: unknown } };
const json = async (r: Response) => (await r.json()) as Json;
const id = String(proposal.proposal_id);

describe('idempotency across callers', () => {
  it('a replay does not return another API key\'s decision', async () => {
    const g = testGate();
    const first = await json(await g.post('/v1/decisions', refund(), g.keys.refunds));
    expect(first).toMatchObject({ replayed: false, outcome: 'review' });
    const other = await g.post('/v1/decisions', refund(), g.keys.slow);
    expect(other.status).toBe(409);
    const body = await json(other);
    expect(body).toEqual({ error: { code: 'idempotency_conflict', message: `idempotency key \`${id}\` is held by a refund_order decision of another API key` } });
    expect(JSON.stringify(body)).not.toContain(String(first.id));
    expect(await json(await g.post('/v1/decisions', refund(), g.keys.refunds))).toEqual({ ...first, replayed: true });
    expect(await json(await g.post('/v1/decisions', refund(), g.keys.service))).toEqual({ ...first, replayed: true });
    expect(await g.deps.store.verify()).toEqual({ ok: true, count: 1 });
  });

  it('a 409 names another caller\'s decision id only to its caller or a key with `read`', async () => {
    const g = testGate();
    const first = await json(await g.post('/v1/decisions', refund(), g.keys.refunds));
    const changed = refund({ amount: 649 });
    const stranger = await g.post('/v1/decisions', changed, g.keys.slow);
    expect(stranger.status).toBe(409);
    expect(await json(stranger)).toEqual({ error: { code: 'idempotency_conflict', message: `idempotency key \`${id}\` is held by a refund_order decision of another API key` } });
    for (const key of [g.keys.refunds, g.keys.service]) {
      const r = await g.post('/v1/decisions', changed, key);
      expect(r.status).toBe(409);
      expect((await json(r)).error).toMatchObject({ code: 'idempotency_conflict', details: { decisionId: first.id } });
    }
    expect(await g.deps.store.verify()).toEqual({ ok: true, count: 1 });
  });

  it('no caller without `read` ever sees a decision it did not make (property)', async () => {
    const g = testGate();
    const scopes = { a: ['decide:*'], b: ['decide:*'], c: ['decide:refund_order'], reader: ['decide:*', 'read'] };
    const tokens = Object.fromEntries(Object.keys(scopes).map((k) => [k, generateKey(k)])) as Record<keyof typeof scopes, string>;
    g.deps.keys = new KeyRing(Object.entries(scopes).map(([k, s]) => ({ id: k, hash: hashKey(tokens[k as keyof typeof scopes]), scopes: s })));
    const made = new Map<string, string>();
    await fc.assert(fc.asyncProperty(fc.constantFrom(...(Object.keys(scopes) as (keyof typeof scopes)[])), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 600, max: 602 }), async (caller, n, amount) => {
      const r = await g.post('/v1/decisions', refund({ proposal_id: `key-${n}`, amount }), tokens[caller]);
      const body = await json(r);
      expect([200, 409]).toContain(r.status);
      if (r.status === 200 && body.replayed === false) made.set(String(body.id), caller);
      if (r.status === 200 && body.replayed === true && caller !== 'reader') expect(made.get(String(body.id))).toBe(caller);
      const original = (body.error?.details as { decisionId?: string } | undefined)?.decisionId;
      if (original !== undefined && caller !== 'reader') expect(made.get(original)).toBe(caller);
      if (r.status === 409 && original === undefined) expect(body.error?.message).toContain('of another API key');
    }), { numRuns: 200 });
    expect(made.size).toBeGreaterThan(0);
  });
});

describe('an idempotency key read from the proposal', () => {
  it('a NUL in the proposal\'s key is 400 invalid_idempotency_key and never reaches the store', async () => {
    const g = testGate();
    for (const bad of ['a\u0000b', '', 'x'.repeat(201), 'tab\there', 'two words', '\ud800', 'zero\u200bwidth']) {
      const r = await g.post('/v1/decisions', refund({ proposal_id: bad }));
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect((await json(r)).error).toEqual({
        code: 'invalid_idempotency_key', message: 'the idempotency key at `/proposal/proposal_id` is 1 to 200 printable characters, without spaces or control characters',
      });
    }
    expect(await g.deps.store.verify()).toEqual({ ok: true, count: 0 });
    const header = await g.post('/v1/decisions', { action: 'tier_upgrade', proposal: { x: 1 }, context: {} }, g.keys.admin, { 'idempotency-key': 'sp ace' });
    expect((await json(header)).error?.code).toBe('invalid_idempotency_key');
  });

  it.skipIf(Boolean(postgres.skip))('a NUL in the proposal\'s key does not reach PostgreSQL', async () => {
    const { store } = await postgres.open();
    try {
      const g = testGate({ store });
      const r = await g.post('/v1/decisions', refund({ proposal_id: 'order\u00008812' }));
      expect(r.status).toBe(400);
      expect((await json(r)).error?.code).toBe('invalid_idempotency_key');
      const ok = await g.post('/v1/decisions', refund());
      expect(ok.status).toBe(200);
      expect(await store.verify()).toEqual({ ok: true, count: 1 });
    } finally {
      await store.close();
    }
  });

  it('takes printable keys in any script, and numbers', async () => {
    const g = testGate();
    for (const good of ['заказ-8812', 'order/8812#1', 'x'.repeat(200), 8812]) {
      const r = await g.post('/v1/decisions', refund({ proposal_id: good }));
      expect(r.status, String(good)).toBe(200);
      expect((await json(r)).idempotencyKey).toBe(String(good));
    }
  });
});
