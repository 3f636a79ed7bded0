/** One conformance suite for every store adapter: the same cases, the same expectations. */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { readRecord } from '../adapters/stores/record.js';
import { EXPIRE_BATCH, expireQuery, SQLITE } from '../adapters/stores/sql.js';
import { openSqlite, PAGE_SIZE, sqliteFailure } from '../adapters/stores/sqlite.js';
import type { AppendItem, AppendResult, DecisionRecord } from '../adapters/stores/store.js';
import type { Decision } from '../engine/index.js';
import { describeStores, postgres, sqlite } from './helpers/stores.js';

const decision = (outcome: Decision['outcome'] = 'approve'): Decision => ({
  action: 'refund_order', outcome, reasons: [], fired: { enforce: [], shadow: [] }, risk: { score: 0, tier: 'low', signals: [] }, errors: [], shadow: { outcome, reasons: [] },
  revision: 'sha256:test', contract: 'refund_order@2', receivedContract: 'refund_order@2', context: null, engine: '0.1.0', now: '2026-11-21T10:00:00Z',
});

function item(over: Partial<AppendItem> & { payload?: unknown; decision?: Decision } = {}): AppendItem {
  const { payload = { amount: 1 }, decision: d = decision(), ...rest } = over;
  return {
    id: randomUUID(), action: 'refund_order', outcome: d.outcome, idempotencyKey: null, recordedAt: new Date().toISOString(), caller: 'test', ttlMs: 86_400_000,
    requestJson: JSON.stringify({ proposal: payload, context: {} }), decisionJson: JSON.stringify(d),
    ...rest,
  };
}

/** The first decision's record a replay answered with. */
const replayed = (r: AppendResult): DecisionRecord | undefined => (r.kind === 'replayed' ? readRecord(r.text) : undefined);

const kinds = (rs: AppendResult[]) => rs.reduce<Record<string, number>>((m, r) => ({ ...m, [r.kind]: (m[r.kind] ?? 0) + 1 }), {});

describeStores('store conformance', ({ open, opened }) => {

  it('appends records in chain order and reads them back', async () => {
    const { store } = await open();
    const a = await store.append(item({ decision: decision('review') }));
    const b = await store.append(item());
    const x = item({ decision: decision('review'), payload: { amount: 2 } });
    const c = await store.append(x);
    expect(a).toMatchObject({ kind: 'created', seq: 1 });
    expect(b).toMatchObject({ kind: 'created', seq: 2 });
    expect(c).toEqual({ kind: 'created', id: x.id, seq: 3 });
    const got = await store.get(x.id);
    // The store hashes the canonical JSON of the action and the proposal it records (the default `match: proposal`).
    const hash = createHash('sha256').update('{"action":"refund_order","proposal":{"amount":2}}').digest('hex');
    expect(got).toEqual({
      id: x.id, seq: 3, action: 'refund_order', recordedAt: x.recordedAt, caller: 'test', idempotencyKey: null, payloadHash: hash,
      request: { proposal: { amount: 2 }, context: {} }, decision: decision('review'),
    });
    expect(await store.get('nope')).toBeUndefined();
    expect(await store.verify()).toEqual({ ok: true, count: 3 });
  });

  it('returns the first decision for the same key and payload, and a conflict for another payload', async () => {
    const { store } = await open();
    const first = await store.append(item({ idempotencyKey: 'k1', payload: { amount: 5 } }));
    const again = await store.append(item({ idempotencyKey: 'k1', payload: { amount: 5 }, decision: decision('reject') }));
    const other = await store.append(item({ idempotencyKey: 'k1', payload: { amount: 6 } }));
    const otherAction = await store.append(item({ idempotencyKey: 'k1', action: 'tier_upgrade', payload: { amount: 6 } }));
    expect(first.kind).toBe('created');
    const id = first.kind === 'created' ? first.id : '';
    expect(again.kind).toBe('replayed');
    expect(replayed(again)).toEqual(await store.get(id));
    expect(replayed(again)?.decision.outcome).toBe('approve');
    expect(other).toEqual({ kind: 'conflict', originalId: id });
    expect(otherAction.kind).toBe('created');
    expect(await store.verify()).toEqual({ ok: true, count: 2 });
  });

  it('holds a key claimed for every action against every action, apart from the same text claimed per action', async () => {
    const { store } = await open();
    const first = await store.append(item({ idempotencyKey: 'p1', idempotencyScope: 'global', payload: { amount: 5 } }));
    const id = first.kind === 'created' ? first.id : '';
    const again = await store.append(item({ idempotencyKey: 'p1', idempotencyScope: 'global', payload: { amount: 5 } }));
    const otherAction = await store.append(item({ idempotencyKey: 'p1', idempotencyScope: 'global', action: 'tier_upgrade', payload: { amount: 5, action: 'tier_upgrade' } }));
    const perAction = await store.append(item({ idempotencyKey: 'p1', idempotencyScope: 'action', payload: { amount: 6 } }));
    expect(first.kind).toBe('created');
    expect(again.kind).toBe('replayed');
    expect(replayed(again)).toEqual(await store.get(id));
    expect(otherAction).toEqual({ kind: 'conflict', originalId: id });
    expect(perAction.kind).toBe('created');
    // Within one group commit, too.
    const batch = await Promise.all([
      store.append(item({ idempotencyKey: 'p2', idempotencyScope: 'global', payload: { n: 1 } })),
      store.append(item({ idempotencyKey: 'p2', idempotencyScope: 'global', action: 'tier_upgrade', payload: { n: 2 } })),
    ]);
    expect(batch.map((r) => r.kind)).toEqual(['created', 'conflict']);
    expect(await store.verify()).toEqual({ ok: true, count: 3 });
  });

  it('compares the proposal alone by default, and the context too with match: request', async () => {
    const { store } = await open();
    const withContext = (key: string, context: unknown, match?: 'proposal' | 'request') =>
      item({ idempotencyKey: key, requestJson: JSON.stringify({ action: 'refund_order', proposal: { amount: 3 }, context }), ...(match ? { idempotencyMatch: match } : {}) });
    const first = await store.append(withContext('m1', { total: 10 }));
    const refreshed = await store.append(withContext('m1', { total: 11 }));
    expect(first.kind).toBe('created');
    expect(refreshed.kind).toBe('replayed');
    expect(replayed(refreshed)!.id).toBe(first.kind === 'created' ? first.id : '');
    const strict = await store.append(withContext('m2', { total: 10 }, 'request'));
    const changed = await store.append(withContext('m2', { total: 11 }, 'request'));
    expect(strict.kind).toBe('created');
    expect(changed).toEqual({ kind: 'conflict', originalId: strict.kind === 'created' ? strict.id : '' });
    expect(await store.verify()).toEqual({ ok: true, count: 2 });
  });

  it('makes exactly one decision from 200 concurrent identical appends', async () => {
    const { store } = await open();
    const results = await Promise.all(Array.from({ length: 200 }, () => store.append(item({ idempotencyKey: 'same', payload: { amount: 7 } }))));
    expect(kinds(results)).toEqual({ created: 1, replayed: 199 });
    const ids = new Set(results.map((r) => (r.kind === 'conflict' ? r.originalId : r.kind === 'created' ? r.id : replayed(r)!.id)));
    expect(ids.size).toBe(1);
    expect(await store.verify()).toEqual({ ok: true, count: 1 });
  });

  it('keeps one decision per key under a concurrent mix of keys, payloads and no keys', async () => {
    const { store } = await open();
    const items = Array.from({ length: 300 }, (_, i) => item({ idempotencyKey: i % 3 === 0 ? null : `k${i % 20}`, payload: { k: i % 20, v: i % 40 < 20 ? 'a' : 'b' } }));
    const results = await Promise.all(items.map((x) => store.append(x)));
    expect(results.filter((r) => r.kind === 'created').length).toBe(100 + 20);
    const winners = new Map(items.filter((it, i) => it.idempotencyKey && results[i]!.kind === 'created').map((it) => [it.idempotencyKey, it]));
    for (const [i, r] of results.entries()) {
      const it = items[i]!;
      if (!it.idempotencyKey) { expect(r.kind).toBe('created'); continue; }
      const w = winners.get(it.idempotencyKey)!;
      if (r.kind === 'created') expect(r.id).toBe(w.id);
      else if (w.requestJson === it.requestJson) expect(replayed(r)).toEqual(await store.get(w.id));
      else expect(r).toEqual({ kind: 'conflict', originalId: w.id });
    }
    expect(await store.verify()).toEqual({ ok: true, count: 120 });
  });

  it('lets a key be used again once it has expired', async () => {
    const { store } = await open();
    const old = new Date(Date.now() - 10_000).toISOString();
    const a = await store.append(item({ idempotencyKey: 'ttl', ttlMs: 1000, recordedAt: old }));
    const b = await store.append(item({ idempotencyKey: 'ttl', payload: { other: true } }));
    expect(a.kind).toBe('created');
    expect(b.kind).toBe('created');
    const c = await store.append(item({ idempotencyKey: 'ttl2', ttlMs: 1000, recordedAt: old }));
    expect(c.kind).toBe('created');
    expect(await store.expireKeys(new Date().toISOString())).toBe(1);
  });

  it('sweeps expired keys in batches, and keeps the live ones', async () => {
    const { store } = await open();
    const old = new Date(Date.now() - 10_000).toISOString();
    const expired = Array.from({ length: EXPIRE_BATCH * 2 + 500 }, (_, i) => item({ idempotencyKey: `x${i}`, ttlMs: 1000, recordedAt: old }));
    expect(kinds(await Promise.all(expired.map((x) => store.append(x))))).toEqual({ created: expired.length });
    expect((await store.append(item({ idempotencyKey: 'live' }))).kind).toBe('created');
    expect(await store.expireKeys(new Date().toISOString())).toBe(expired.length);
    expect(await store.expireKeys(new Date().toISOString())).toBe(0);
    expect((await store.append(item({ idempotencyKey: 'live' }))).kind).toBe('replayed');
    expect((await store.append(item({ idempotencyKey: 'x7', payload: { again: true } }))).kind).toBe('created');
  });

  it('lists by action, outcome and time, newest first, with a cursor', async () => {
    const { store } = await open();
    for (let i = 0; i < 7; i++) await store.append(item({ action: i % 2 ? 'refund_order' : 'tier_upgrade', decision: decision(i < 3 ? 'approve' : 'review'), recordedAt: `2026-11-21T10:00:0${i}.000Z` }));
    const page1 = await store.list({ limit: 3 });
    expect(page1.items.map((r) => r.seq)).toEqual([7, 6, 5]);
    const page2 = await store.list({ limit: 3, cursor: page1.next! });
    expect(page2.items.map((r) => r.seq)).toEqual([4, 3, 2]);
    expect((await store.list({ limit: 10, cursor: page2.next! })).items.map((r) => r.seq)).toEqual([1]);
    expect((await store.list({ limit: 10, action: 'refund_order' })).items.map((r) => r.seq)).toEqual([6, 4, 2]);
    expect((await store.list({ limit: 10, outcome: 'approve' })).items.map((r) => r.seq)).toEqual([3, 2, 1]);
    expect((await store.list({ limit: 10, since: '2026-11-21T10:00:05.000Z' })).items.map((r) => r.seq)).toEqual([7, 6]);
    const exported = [];
    for await (const r of store.export('2026-11-21T10:00:04.000Z')) exported.push(r.seq);
    expect(exported).toEqual([5, 6, 7]);
  });

  it('names the first record that was edited, deleted or reordered', async () => {
    const fresh = async () => {
      const o = await open();
      for (let i = 0; i < 5; i++) await o.store.append(item({ payload: { i } }));
      return o;
    };
    let o = await fresh();
    await o.raw("UPDATE decisions SET record = replace(record, '\"i\":2', '\"i\":9') WHERE seq = 3");
    expect(await o.store.verify()).toMatchObject({ ok: false, problem: { seq: 3, reason: 'seq 3 was edited: its content does not match its hash' } });

    o = await fresh();
    await o.raw("UPDATE decisions SET outcome = 'reject' WHERE seq = 4");
    expect(await o.store.verify()).toMatchObject({ ok: false, problem: { seq: 4, reason: 'seq 4 was edited: its outcome column does not match its record' } });

    o = await fresh();
    await o.raw('DELETE FROM decisions WHERE seq = 2');
    expect(await o.store.verify()).toMatchObject({ ok: false, count: 1, problem: { seq: 3, reason: 'record 2 is missing before seq 3: deleted' } });

    o = await fresh();
    await o.raw('DELETE FROM decisions WHERE seq >= 4');
    expect(await o.store.verify()).toMatchObject({ ok: false, count: 3, problem: { seq: 4, id: null, reason: 'the chain ends at seq 3, but its head records seq 5: the last 2 records were deleted' } });

    o = await fresh();
    await o.raw('UPDATE decisions SET seq = -seq WHERE seq IN (2, 3)');
    await o.raw('UPDATE decisions SET seq = 3 WHERE seq = -2');
    await o.raw('UPDATE decisions SET seq = 2 WHERE seq = -3');
    expect(await o.store.verify()).toMatchObject({ ok: false, problem: { seq: 2, reason: 'seq 2 does not follow seq 1: its previous hash does not match (reordered, or a record before it was replaced)' } });
  });

  it('one item the store refuses fails alone, and the rest of its group commit is recorded', async () => {
    const o = await open();
    const recorded = item();
    await o.store.append(recorded);
    // The same decision id twice: a uniqueness the store itself enforces, in both SQL dialects.
    const batch = [item({ idempotencyKey: 'g1' }), item({ id: recorded.id, idempotencyKey: 'g2' }), item({ idempotencyKey: 'g3' }), item()];
    const settled = await Promise.allSettled(batch.map((x) => o.store.append(x)));
    expect(settled.map((r) => (r.status === 'fulfilled' ? r.value : { name: (r.reason as Error).name }))).toEqual([
      { kind: 'created', id: batch[0]!.id, seq: 2 },
      { name: 'StoreRefusedError' },
      { kind: 'created', id: batch[2]!.id, seq: 3 },
      { kind: 'created', id: batch[3]!.id, seq: 4 },
    ]);
    expect((settled[1] as PromiseRejectedResult).reason).toHaveProperty('message', expect.stringMatching(/write failed: .*(UNIQUE|unique)/));
    // Nothing of the refused item stayed: its key is free, and the chain is the three others.
    expect((await o.store.append(item({ idempotencyKey: 'g2' }))).kind).toBe('created');
    const again = await o.reopen();
    opened.push({ ...o, store: again });
    expect(await again.verify()).toEqual({ ok: true, count: 5 });
    expect((await again.get(batch[3]!.id))?.seq).toBe(4);
  });

  it('keeps everything across a reopen, and close waits for pending appends', async () => {
    const o = await open();
    const pending = Array.from({ length: 50 }, (_, i) => o.store.append(item({ idempotencyKey: `r${i}` })));
    await o.store.close();
    expect(kinds(await Promise.all(pending))).toEqual({ created: 50 });
    await expect(o.store.append(item())).rejects.toThrow('the store is closed');
    const again = await o.reopen();
    opened.push({ ...o, store: again });
    expect(await again.verify()).toEqual({ ok: true, count: 50 });
    expect((await again.append(item({ idempotencyKey: 'r7' }))).kind).toBe('replayed');
  });
});

describe('the SQLite store', () => {
  it('makes new files with pages of 8 KB, and opens files made with 4 KB pages as they are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-pages-'));
    const pageSize = (file: string) => { const db = new Database(file, { readonly: true }); try { return db.pragma('page_size', { simple: true }); } finally { db.close(); } };
    const fresh = openSqlite(join(dir, 'new.db'));
    await fresh.append(item());
    await fresh.close();
    expect(pageSize(join(dir, 'new.db'))).toBe(PAGE_SIZE);
    const before = new Database(join(dir, 'old.db'));
    before.pragma('page_size = 4096');
    before.pragma('journal_mode = WAL');
    before.close();
    const old = openSqlite(join(dir, 'old.db'));
    expect((await old.append(item())).kind).toBe('created');
    await old.close();
    expect(pageSize(join(dir, 'old.db'))).toBe(4096);
  });

  it('finds expired keys through an index on their expiry, not by reading the whole table', async () => {
    const o = await sqlite.open();
    await o.store.close();
    const db = new Database(o.url.slice('sqlite:'.length), { readonly: true });
    try {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${expireQuery(SQLITE)}`).all(new Date().toISOString()) as { detail: string }[];
      expect(plan.map((p) => p.detail)).toContainEqual(expect.stringMatching(/USING (COVERING )?INDEX idempotency_expires \(expires_at<\?\)/));
    } finally {
      db.close();
    }
  });
});

describe.skipIf(Boolean(postgres.skip))(`PostgreSQL refuses a NUL byte${postgres.skip ? ` (${postgres.skip})` : ''}`, () => {
  it('a key holding a NUL fails alone, and the two others of its group commit are recorded', async () => {
    const o = await postgres.open();
    try {
      const batch = [item({ idempotencyKey: 'n1' }), item({ idempotencyKey: 'n\u00002' }), item({ idempotencyKey: 'n3' })];
      const settled = await Promise.allSettled(batch.map((x) => o.store.append(x)));
      expect(settled.map((r) => (r.status === 'fulfilled' ? r.value : { name: (r.reason as Error).name, message: (r.reason as Error).message }))).toEqual([
        { kind: 'created', id: batch[0]!.id, seq: 1 },
        { name: 'StoreRefusedError', message: expect.stringContaining('0x00') },
        { kind: 'created', id: batch[2]!.id, seq: 2 },
      ]);
      expect(await o.store.verify()).toEqual({ ok: true, count: 2 });
    } finally {
      await o.store.close();
    }
  });
});

describe('SQLite refuses one item only for a value its driver cannot bind', () => {
  const outcomes = (settled: PromiseSettledResult<AppendResult>[]) =>
    settled.map((r) => (r.status === 'fulfilled' ? r.value : { name: (r.reason as Error).name, message: (r.reason as Error).message }));

  it('a value SQLite cannot hold, or a bigint past 64 bits, fails alone, and the rest of its group commit is recorded', async () => {
    const o = await sqlite.open();
    try {
      const batch = [item(), item({ outcome: true as unknown as string }), item({ outcome: (2n ** 64n) as unknown as string }), item()];
      expect(outcomes(await Promise.allSettled(batch.map((x) => o.store.append(x))))).toEqual([
        { kind: 'created', id: batch[0]!.id, seq: 1 },
        { name: 'StoreRefusedError', message: 'SQLite write failed: SQLite3 can only bind numbers, strings, bigints, buffers, and null' },
        { name: 'StoreRefusedError', message: 'SQLite write failed: The bound string, buffer, or bigint is too big' },
        { kind: 'created', id: batch[3]!.id, seq: 2 },
      ]);
      expect(await o.store.verify()).toEqual({ ok: true, count: 2 });
    } finally {
      await o.store.close();
    }
  });

  it('a TypeError or RangeError that is not a binding error is the store failing: the whole commit is unavailable', async () => {
    const o = await sqlite.open();
    try {
      // A TTL that is not a number breaks the expiry computed in the commit: a defect of ours, not of the item.
      for (const [bad, error] of [[Number.NaN, 'Invalid time value'], [1n, 'Cannot mix BigInt and other types']] as const) {
        const settled = await Promise.allSettled([item(), item({ idempotencyKey: 'k', ttlMs: bad as unknown as number })].map((x) => o.store.append(x)));
        expect(outcomes(settled)).toEqual(Array.from({ length: 2 }, () => ({ name: 'StoreUnavailableError', message: expect.stringContaining(error) })));
      }
      expect(await o.store.verify()).toEqual({ ok: true, count: 0 });
      expect(await o.store.append(item())).toMatchObject({ kind: 'created', seq: 1 });
    } finally {
      await o.store.close();
    }
  });

  it('the driver\'s own errors for a closed or busy connection, or a statement given the wrong number of values, are unavailable', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (a)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const thrown = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        return e;
      }
      throw new Error('did not throw');
    };
    insert.run(1);
    const failures = [thrown(() => insert.run()), thrown(() => insert.run(1, 2)), thrown(() => insert.run({}))];
    const iterating = db.prepare('SELECT a FROM t').iterate();
    iterating.next();
    failures.push(thrown(() => insert.run(2)));
    iterating.return?.();
    db.close();
    failures.push(thrown(() => insert.run(3)));
    expect(failures.map((e) => [(e as Error).constructor.name, (e as Error).message])).toEqual([
      ['RangeError', 'Too few parameter values were provided'],
      ['RangeError', 'Too many parameter values were provided'],
      // An object among the values is taken for named parameters: a defect of the code that passed it.
      ['RangeError', 'Too few parameter values were provided'],
      ['TypeError', 'This database connection is busy executing a query'],
      ['TypeError', 'The database connection is not open'],
    ]);
    for (const e of failures) expect(sqliteFailure(e, 'SQLite write failed').name).toBe('StoreUnavailableError');
    const select = new Database(':memory:').prepare('SELECT ?');
    for (const value of [true, 2n ** 64n]) expect(sqliteFailure(thrown(() => select.get(value)), 'SQLite write failed').name).toBe('StoreRefusedError');
    select.database.close();
  });
});
