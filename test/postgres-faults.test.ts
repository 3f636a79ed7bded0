/**
 * PostgreSQL that does not answer: another session holds the chain head's lock, or the server is
 * stopped (SIGSTOP). Appends and readiness fail with StoreUnavailableError (503 with `Retry-After`
 * at the gate) instead of waiting, and everything works again once the server does.
 *
 * The lock tests use the shared test server (ARBITER_TEST_PG_URL). The SIGSTOP test freezes a
 * private server it starts itself, never the shared one.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../adapters/stores/postgres.js';
import type { AppendItem } from '../adapters/stores/store.js';
import { killAll, serveProcess } from './helpers/process.js';
import { PRIVATE_PG_SKIP, startPrivatePostgres } from './helpers/private-postgres.js';
import { freshPgDatabase, PG_SKIP } from './helpers/stores.js';
import { decide, expectUnavailableWithinBound, readyz, TIMEOUT_S, unavailableThenRecovered } from './helpers/unavailable.js';

const item = (): AppendItem => ({
  id: randomUUID(), action: 'refund_order', outcome: 'approve', idempotencyKey: randomUUID(), recordedAt: new Date().toISOString(),
  caller: 'test', requestJson: '{"proposal":{},"context":{}}', decisionJson: '{"outcome":"approve"}', ttlMs: 60_000,
});

/** Another session that takes the chain head's row lock, as a stuck replica's commit would. */
async function holdHead(url: string): Promise<{ release(): Promise<void> }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('BEGIN');
  await c.query('SELECT seq FROM chain_head WHERE id = 1 FOR UPDATE');
  return { async release() { await c.query('ROLLBACK'); await c.end(); } };
}

const errorOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`);

describe.skipIf(PG_SKIP !== '')(`a PostgreSQL store whose chain head another session holds${PG_SKIP ? ` (${PG_SKIP})` : ''}`, () => {
  it('fails appends and readiness with StoreUnavailableError instead of waiting, and recovers once the lock is released', async () => {
    const url = await freshPgDatabase();
    const store = await openPostgres(url, { timeoutMs: 300 });
    try {
      expect((await store.append(item())).kind).toBe('created');
      const lock = await holdHead(url);
      const appends = await Promise.all([item(), item(), item()].map((x) => errorOf(store.append(x))));
      for (const e of appends) expect(e).toMatch(/^StoreUnavailableError: PostgreSQL write failed: (canceling statement due to (lock|statement) timeout|Query read timeout)/);
      expect(await errorOf(store.ping())).toMatch(/^StoreUnavailableError: PostgreSQL is not ready: (canceling statement due to (lock|statement) timeout|Query read timeout)/);
      await lock.release();
      await store.ping();
      expect((await store.append(item())).kind).toBe('created');
      expect(await store.verify()).toEqual({ ok: true, count: 2 });
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(PG_SKIP !== '')(`a PostgreSQL store whose commit connection the server ends${PG_SKIP ? ` (${PG_SKIP})` : ''}`, () => {
  it('fails that commit with StoreUnavailableError and goes on with a new connection', async () => {
    const url = await freshPgDatabase();
    // Long enough a bound that the commit is still waiting when the poll below finds it.
    const store = await openPostgres(url, { timeoutMs: 30_000 });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      expect((await store.append(item())).kind).toBe('created');
      const lock = await holdHead(url);
      const pending = errorOf(store.append(item()));
      // The commit waits for the head's lock; end its connection from the server's side meanwhile.
      let waiting: number | undefined;
      while (waiting === undefined) {
        const r = await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
        waiting = r.rows[0]?.pid;
      }
      await admin.query('SELECT pg_terminate_backend($1)', [waiting]);
      expect(await pending).toMatch(/^StoreUnavailableError: PostgreSQL write failed: terminating connection due to administrator command/);
      await lock.release();
      expect((await store.append(item())).kind).toBe('created');
      expect(await store.verify()).toEqual({ ok: true, count: 2 });
    } finally {
      await admin.end();
      await store.close();
    }
  });
});

afterEach(killAll);


describe.skipIf(PG_SKIP !== '')(`the gate on a PostgreSQL whose chain head another session holds${PG_SKIP ? ` (${PG_SKIP})` : ''}`, () => {
  it('answers 503 with Retry-After within the bound, /readyz too, and serves again once the lock is released', async () => {
    const url = await freshPgDatabase();
    const s = await serveProcess(['--store', url, '--store-timeout', `${TIMEOUT_S}s`]);
    expect((await decide(s)).status).toBe(200);
    const lock = await holdHead(url);
    await expectUnavailableWithinBound(s);
    await lock.release();
    expect((await readyz(s)).status).toBe(200);
    expect((await decide(s)).status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});

describe.skipIf(PRIVATE_PG_SKIP !== '')(`the gate on a PostgreSQL server stopped with SIGSTOP${PRIVATE_PG_SKIP ? ` (${PRIVATE_PG_SKIP})` : ''}`, () => {
  it('answers 503 with Retry-After within the bound while the server is frozen, recovers by itself, and lost no 2xx', async () => {
    const server = await startPrivatePostgres();
    let frozen: number[] = [];
    try {
      await unavailableThenRecovered(server.url, () => {
        frozen = server.processes();
        for (const pid of frozen) process.kill(pid, 'SIGSTOP');
      }, () => {
        for (const pid of frozen.splice(0)) process.kill(pid, 'SIGCONT');
      });
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      server.stop();
    }
  });
});
