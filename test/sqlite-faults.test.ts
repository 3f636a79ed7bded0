/**
 * The gate as a process over a SQLite store whose files go away or become read-only while it
 * serves: every write is refused with 503 and `Retry-After`, `/readyz` says not ready, and no
 * decision is answered 2xx unless it is still there after a restart.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../adapters/stores/sqlite.js';
import type { AppendItem } from '../adapters/stores/store.js';
import { ROOT } from './helpers/cli.js';
import { afterRestart, killAll, serveProcess, type Served } from './helpers/process.js';
import { openThreadStore } from './helpers/stores.js';

const proposal = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;

/** root may write to read-only files: the gate then runs as `nobody`, for whom a chmod counts. */
const NOBODY = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

afterEach(killAll);

interface Answer { status: number; retryAfter: string | null; code?: string; id?: string }

async function decide(s: Served): Promise<Answer> {
  const r = await fetch(`${s.url}/v1/decisions`, {
    method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'refund_order', proposal: { ...proposal, proposal_id: randomUUID(), amount: 20 }, context }),
  });
  const body = (await r.json()) as { id?: string; error?: { code: string } };
  return { status: r.status, retryAfter: r.headers.get('retry-after'), ...(body.error ? { code: body.error.code } : {}), ...(body.id ? { id: body.id } : {}) };
}

const decisionItem = (): AppendItem => ({
  id: randomUUID(), action: 'refund_order', outcome: 'approve', idempotencyKey: null, recordedAt: new Date().toISOString(),
  caller: 'test', requestJson: '{"proposal":{},"context":{}}', decisionJson: '{"outcome":"approve"}', ttlMs: 60_000,
});

const ready = async (s: Served) => (await fetch(`${s.url}/readyz`)).status;

/** A data folder the gate (possibly as nobody) owns. */
function dataDir(): { root: string; data: string; url: string } {
  const root = mkdtempSync(join(tmpdir(), 'arbiter-faults-'));
  const data = join(root, 'data');
  mkdirSync(data);
  if (NOBODY) { chownSync(root, NOBODY.uid, NOBODY.gid); chownSync(data, NOBODY.uid, NOBODY.gid); }
  return { root, data, url: `sqlite:${join(data, 'decisions.db')}` };
}

/**
 * Every decision answered 2xx is in the log after a restart, and the chain verifies. The log may
 * hold up to `unsure` more: a commit whose files moved before its check ran is answered 503, and
 * is kept if the files come back.
 */
async function allDurable(url: string, ids: string[], unsure = 0): Promise<void> {
  const { missing, stopped, verify } = await afterRestart(url, ids, NOBODY);
  expect(missing).toEqual([]);
  expect(stopped).toBe(0);
  const count = Number(/^ok: the chain of (\d+) records? in .* is intact\n$/.exec(verify.out)?.[1]);
  expect(count).toBeGreaterThanOrEqual(ids.length);
  expect(count).toBeLessThanOrEqual(ids.length + unsure);
}

describe('a SQLite store whose files change under the gate', () => {
  it('answers 503 with Retry-After while the data folder is moved away, and acknowledges nothing that is lost', async () => {
    const { data, url } = dataDir();
    const s = await serveProcess(['--store', url], {}, NOBODY);
    const before = await Promise.all(Array.from({ length: 5 }, () => decide(s)));
    expect(before.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await ready(s)).toBe(200);

    renameSync(data, `${data}.away`);
    const away = await Promise.all(Array.from({ length: 8 }, () => decide(s)));
    expect(away).toEqual(Array.from({ length: 8 }, () => ({ status: 503, retryAfter: '1', code: 'store_unavailable' })));
    expect(await ready(s)).toBe(503);

    renameSync(`${data}.away`, data);
    expect(await ready(s)).toBe(200);
    const back = await Promise.all(Array.from({ length: 3 }, () => decide(s)));
    expect(back.map((a) => a.status)).toEqual([200, 200, 200]);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await allDurable(url, [...before, ...back].map((a) => a.id!));
  });

  it('under load, every decision answered 2xx while the data folder goes away and comes back is still there after a restart', async () => {
    const { data, url } = dataDir();
    const s = await serveProcess(['--store', url], {}, NOBODY);
    const answers: Answer[] = [];
    let stop = false;
    const worker = async () => { while (!stop) answers.push(await decide(s)); };
    const workers = Array.from({ length: 8 }, worker);
    try {
      await expect.poll(() => answers.length, { timeout: 10_000 }).toBeGreaterThan(40);
      renameSync(data, `${data}.away`);
      const during = answers.length;
      await expect.poll(() => answers.slice(during).filter((a) => a.status === 503).length, { timeout: 10_000 }).toBeGreaterThan(20);
      renameSync(`${data}.away`, data);
      const back = answers.length;
      await expect.poll(() => answers.slice(back).filter((a) => a.status === 200).length, { timeout: 10_000 }).toBeGreaterThan(40);
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    expect(new Set(answers.map((a) => (a.status === 503 ? `503 ${a.retryAfter} ${a.code}` : String(a.status))))).toEqual(new Set(['200', '503 1 store_unavailable']));
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await allDurable(url, answers.filter((a) => a.status === 200).map((a) => a.id!), answers.filter((a) => a.status === 503).length);
  });

  it('answers 503 with Retry-After once the data folder is removed, and /readyz says not ready', async () => {
    const { data, url } = dataDir();
    const s = await serveProcess(['--store', url], {}, NOBODY);
    expect((await decide(s)).status).toBe(200);
    rmSync(data, { recursive: true });
    const after = await Promise.all(Array.from({ length: 8 }, () => decide(s)));
    expect(after).toEqual(Array.from({ length: 8 }, () => ({ status: 503, retryAfter: '1', code: 'store_unavailable' })));
    expect(await ready(s)).toBe(503);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('answers 503 with Retry-After, not 500, while the database files are read-only', async () => {
    const { data, url } = dataDir();
    const s = await serveProcess(['--store', url], {}, NOBODY);
    const before = await decide(s);
    expect(before.status).toBe(200);
    const files = ['decisions.db', 'decisions.db-wal'].map((f) => join(data, f));
    for (const f of files) chmodSync(f, 0o444);
    const readOnly = await Promise.all(Array.from({ length: 4 }, () => decide(s)));
    expect(readOnly).toEqual(Array.from({ length: 4 }, () => ({ status: 503, retryAfter: '1', code: 'store_unavailable' })));
    expect(await ready(s)).toBe(503);
    for (const f of files) chmodSync(f, 0o644);
    expect(await ready(s)).toBe(200);
    const after = await decide(s);
    expect(after.status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await allDurable(url, [before.id!, after.id!]);
  });
});

describe('a SQLite store whose write lock another process holds', () => {
  it('is not ready and refuses appends after --store-timeout, then recovers when the lock is released', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'arbiter-faults-')), 'decisions.db');
    const store = openSqlite(file, { timeoutMs: 200 });
    try {
      await store.ping();
      const other = new Database(file);
      other.exec('BEGIN IMMEDIATE');
      const errorOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`);
      expect(await errorOf(store.ping())).toBe('StoreUnavailableError: SQLite read failed: database is locked');
      expect(await errorOf(store.append(decisionItem()))).toBe('StoreUnavailableError: SQLite write failed: database is locked');
      other.exec('ROLLBACK');
      other.close();
      await store.ping();
      expect((await store.append(decisionItem())).kind).toBe('created');
    } finally {
      await store.close();
    }
  });

  it('in a worker thread, an append queued while the store thread waits for the lock fails by the bound, unwritten', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'arbiter-faults-')), 'decisions.db');
    const store = await openThreadStore(`sqlite:${file}`, { timeoutMs: 200 });
    try {
      const other = new Database(file);
      other.exec('BEGIN IMMEDIATE');
      const errorOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`);
      // The store thread waits up to the bound for the lock twice: for the readiness check, then for the first commit.
      const ping = errorOf(store.ping());
      const first = errorOf(store.append(decisionItem()));
      await new Promise((r) => setImmediate(r));
      const queued = errorOf(store.append(decisionItem()));
      expect(await queued).toBe('StoreUnavailableError: the store did not begin a commit within 200 ms');
      expect(await ping).toBe('StoreUnavailableError: SQLite read failed: database is locked');
      expect(await first).toBe('StoreUnavailableError: SQLite write failed: database is locked');
      other.exec('ROLLBACK');
      other.close();
      expect((await store.append(decisionItem())).kind).toBe('created');
      expect(await store.verify()).toEqual({ ok: true, count: 1 });
    } finally {
      await store.close();
    }
  });
});
