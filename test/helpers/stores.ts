/**
 * The store adapters under test: SQLite always; PostgreSQL when ARBITER_TEST_PG_URL names a server
 * (`.ci/run` starts a throwaway one), else its suites are skipped with `skip` as the reason. Each open gets an empty database, and `raw` runs SQL on it
 * directly, to tamper with the log.
 */
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { openPostgres } from '../../adapters/stores/postgres.js';
import { openSqlite } from '../../adapters/stores/sqlite.js';
import type { Store } from '../../adapters/stores/store.js';

export interface Opened { store: Store; url: string; raw(sql: string, args?: unknown[]): Promise<void>; reopen(): Promise<Store> }
export interface Factory { name: string; open(): Promise<Opened>; skip?: string }

export const PG_URL = process.env.ARBITER_TEST_PG_URL;
export const PG_SKIP = PG_URL ? '' : 'PostgreSQL tests skipped: set ARBITER_TEST_PG_URL, or run them through .ci/run, which starts a throwaway server';

export const sqlite: Factory = {
  name: 'sqlite',
  async open() {
    const file = join(mkdtempSync(join(tmpdir(), 'arbiter-store-')), 'decisions.db');
    return {
      store: openSqlite(file), url: `sqlite:${file}`,
      async raw(sql, args = []) { const db = new Database(file); try { db.prepare(sql).run(...args); } finally { db.close(); } },
      async reopen() { return openSqlite(file); },
    };
  },
};

let n = 0;
/** A fresh database on the test server. */
export async function freshPgDatabase(): Promise<string> {
  const name = `arbiter_t_${process.pid}_${Date.now()}_${n++}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try { await admin.query(`CREATE DATABASE ${name}`); } finally { await admin.end(); }
  const u = new URL(PG_URL!);
  u.pathname = `/${name}`;
  return u.toString();
}

export const postgres: Factory = {
  name: 'postgres',
  skip: PG_SKIP,
  async open() {
    const url = await freshPgDatabase();
    return {
      store: await openPostgres(url), url,
      async raw(sql, args = []) {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try { await c.query(sql.replace(/\?/g, (() => { let i = 0; return () => `$${++i}`; })()), args); } finally { await c.end(); }
      },
      async reopen() { return openPostgres(url); },
    };
  },
};

/** The worker-thread proxy, as the gate runs it; loaded from the build (a worker cannot run TypeScript). */
export async function openThreadStore(...args: Parameters<typeof import('../../adapters/stores/worker.js').openWorkerStore>): Promise<Store> {
  const built = pathToFileURL(join(import.meta.dirname, '../../dist/adapters/stores/worker.js')).href;
  const { openWorkerStore } = (await import(built)) as typeof import('../../adapters/stores/worker.js');
  return openWorkerStore(...args);
}

export const sqliteThread: Factory = {
  name: 'sqlite in a worker thread',
  async open() {
    const inner = await sqlite.open();
    await inner.store.close();
    return { ...inner, store: await openThreadStore(inner.url), reopen: () => openThreadStore(inner.url) };
  },
};

export const FACTORIES: Factory[] = [sqlite, sqliteThread, postgres];

/** What a suite over every store gets: a fresh store per call (closed after the suite), and the stores it opened itself to close too. */
export interface StoreSuite { factory: Factory; open(): Promise<Opened>; opened: Opened[] }

/**
 * One conformance suite, run on every store adapter (SQLite, SQLite in its worker thread,
 * PostgreSQL when a server is given): the same cases, the same expectations.
 */
export function describeStores(title: string, body: (suite: StoreSuite) => void, factories: Factory[] = FACTORIES): void {
  for (const factory of factories) {
    describe.skipIf(Boolean(factory.skip))(`${title}: ${factory.name}${factory.skip ? ` (${factory.skip})` : ''}`, () => {
      const opened: Opened[] = [];
      afterAll(async () => { for (const o of opened) await o.store.close(); });
      body({ factory, opened, open: async () => { const o = await factory.open(); opened.push(o); return o; } });
    });
  }
}
