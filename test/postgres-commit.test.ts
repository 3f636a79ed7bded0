/**
 * How the PostgreSQL store commits (adapters/stores/postgres-commit.ts): a batch planned against
 * the head this store wrote last is one statement; a batch whose guess is wrong (another store
 * appended, a key seen before) is planned again under the head's lock, and the results are those
 * of the shared plan either way. A batch with review rows is written op by op under the lock. The conformance suite (store.test.ts) covers the rest.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../adapters/stores/postgres.js';
import { readRecord } from '../adapters/stores/record.js';
import { migrations, POSTGRES } from '../adapters/stores/sql.js';
import type { AppendItem, AppendResult, Store } from '../adapters/stores/store.js';
import { freshPgDatabase, PG_SKIP } from './helpers/stores.js';

const item = (key: string | null = null, payload: unknown = randomUUID()): AppendItem => ({
  id: randomUUID(), action: 'refund_order', outcome: 'approve', idempotencyKey: key, recordedAt: new Date().toISOString(), caller: 'test', ttlMs: 60_000,
  requestJson: JSON.stringify({ proposal: payload, context: {} }), decisionJson: '{"outcome":"approve"}',
});

const opened: Store[] = [];
const open = async (url: string) => { const s = await openPostgres(url); opened.push(s); return s; };
afterEach(async () => { for (const s of opened.splice(0)) await s.close(); });

/** The statements the store's commit connection (the only one in pipeline mode) sends while `run` runs. */
async function commitStatements(run: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
    if (this.pipeline) sent.push((typeof config === 'string' ? config : (config as { text: string }).text).replace(/\s+/g, ' '));
    return (query as (...a: unknown[]) => unknown).call(this, config, ...rest);
  } as typeof query;
  try {
    await run();
  } finally {
    pg.Client.prototype.query = query;
  }
  return sent;
}

const APPEND = expect.stringMatching(/^SELECT arbiter_append\(/);
const LOCK_HEAD = expect.stringMatching(/^SELECT seq, hash FROM chain_head .* FOR UPDATE$/);
const READ_KEYS = expect.stringMatching(/^SELECT .* FROM idempotency /);

describe.skipIf(PG_SKIP !== '')(`PostgreSQL commits${PG_SKIP ? ` (${PG_SKIP})` : ''}`, () => {
  it('sends a batch planned against the head it wrote last as one statement, and plans it again under the lock when a key was seen', async () => {
    const store = await open(await freshPgDatabase());
    const first = item('k1', { n: 1 });
    // The first batch knows no head yet.
    expect(await commitStatements(() => store.append(first))).toEqual(['BEGIN', LOCK_HEAD, READ_KEYS, APPEND, 'COMMIT']);
    const batch = Array.from({ length: 10 }, (_, i) => item(i % 2 ? `b${i}` : null));
    let results: unknown[] = [];
    expect(await commitStatements(async () => { results = await Promise.all(batch.map((x) => store.append(x))); })).toEqual([APPEND]);
    expect(results).toEqual(batch.map((x, i) => ({ kind: 'created', id: x.id, seq: i + 2 })));
    // A key held before: the guess (no key held) is wrong, and planned again the batch has nothing to write.
    let replay: AppendResult | undefined;
    expect(await commitStatements(async () => { replay = await store.append(item('k1', { n: 1 })); })).toEqual([APPEND, 'BEGIN', LOCK_HEAD, READ_KEYS, 'COMMIT']);
    expect(replay?.kind === 'replayed' && readRecord(replay.text)).toEqual(await store.get(first.id));
    expect(await store.verify()).toEqual({ ok: true, count: 11 });
  });

  it('writes a batch with review rows op by op under the lock, in one transaction, and the next plain batch in one statement', async () => {
    const store = await open(await freshPgDatabase());
    await store.append(item());
    const queued: AppendItem = {
      ...item(), outcome: 'review', decisionJson: '{"outcome":"review"}',
      review: { queue: 'payments', riskTier: 'low', riskScore: 0, sideEffects: 'financial', rules: [], messages: [], entity: null, expiresAt: new Date(Date.now() + 60_000).toISOString(), onExpiry: 'reject', editOf: null },
    };
    const sent = await commitStatements(() => store.append(queued));
    expect(sent).toEqual(['BEGIN', LOCK_HEAD, expect.stringMatching(/^INSERT INTO decisions /), expect.stringMatching(/^INSERT INTO reviews /), expect.stringMatching(/^UPDATE chain_head /), 'COMMIT']);
    expect(await store.review(queued.id)).toMatchObject({ id: queued.id, status: 'pending' });
    const verdict = { kind: 'review', id: randomUUID(), decisionId: queued.id, action: 'refund_order', recordedAt: new Date().toISOString(), caller: 'alice', verdict: 'approve', proposalHash: (await store.review(queued.id))!.proposalHash } as const;
    expect(await store.appendReview(verdict)).toMatchObject({ kind: 'created', seq: 3 });
    // The op-by-op commit leaves the head it wrote as the next guess.
    expect(await commitStatements(() => store.append(item()))).toEqual([APPEND]);
    expect(await store.verify()).toEqual({ ok: true, count: 4 });
  });

  it('keeps one chain when two stores append in turn, each planning against a head the other moved', async () => {
    const url = await freshPgDatabase();
    const [a, b] = [await open(url), await open(url)];
    const x1 = item('k1', { n: 1 }), x3 = item();
    expect(await a.append(x1)).toEqual({ kind: 'created', id: x1.id, seq: 1 });
    expect((await b.append(item())).kind).toBe('created');
    // a guesses seq 1, b has moved the head to 2.
    expect(await a.append(x3)).toEqual({ kind: 'created', id: x3.id, seq: 3 });
    const again = await b.append(item('k1', { n: 1 }));
    expect(again.kind === 'replayed' && readRecord(again.text)).toEqual(await a.get(x1.id));
    // a's guess of the head is right (the replay wrote nothing), but k1 is held.
    expect(await a.append(item('k1', { n: 2 }))).toEqual({ kind: 'conflict', originalId: x1.id });
    expect(await b.append(item('k2'))).toMatchObject({ kind: 'created', seq: 4 });
    expect(await a.verify()).toEqual({ ok: true, count: 4 });
  });

  it('upgrades a store made before the commit function when it opens one for writing', async () => {
    const url = await freshPgDatabase();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      await c.query(migrations(POSTGRES)[0]!);
      await c.query("INSERT INTO schema_migrations VALUES (1, '2026-11-01T00:00:00.000Z')");
    } finally {
      await c.end();
    }
    await expect(openPostgres(url, { mustExist: true })).rejects.toThrow(/is an older Arbiter store \(schema 1\); `arbiter serve` upgrades it/);
    const store = await open(url);
    expect(await store.append(item('u1'))).toMatchObject({ kind: 'created', seq: 1 });
    expect(await store.append(item('u1'))).toMatchObject({ kind: 'conflict' });
    expect(await store.verify()).toEqual({ ok: true, count: 1 });
  });
});
