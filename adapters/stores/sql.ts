/**
 * The SQL both adapters share: the schema's migrations, written once over the two places where
 * the dialects differ, and the query behind `list`.
 */
import { GENESIS } from './chain.js';
import { readRecord } from './record.js';
import type { DecisionRecord, ListQuery } from './store.js';

export interface Dialect {
  /** the chain's position: SQLite's INTEGER PRIMARY KEY is the row id; PostgreSQL needs BIGINT */
  seq: 'INTEGER' | 'BIGINT';
  /** ISO times compared as text: PostgreSQL's default collation need not order them bytewise */
  time: 'TEXT' | 'TEXT COLLATE "C"';
  /** the n-th (from 1) query parameter */
  param(n: number): string;
}

export const SQLITE: Dialect = { seq: 'INTEGER', time: 'TEXT', param: () => '?' };
export const POSTGRES: Dialect = { seq: 'BIGINT', time: 'TEXT COLLATE "C"', param: (n) => `$${n}` };

/** Migration n (from 1) is element n - 1; applied ones are listed in `schema_migrations`. */
export const migrations = (d: Dialect): string[] => [
  `CREATE TABLE decisions (
     seq ${d.seq} PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     action TEXT NOT NULL,
     outcome TEXT NOT NULL,
     idempotency_key TEXT,
     recorded_at ${d.time} NOT NULL,
     record TEXT NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   );
   CREATE INDEX decisions_action ON decisions (action, seq);
   CREATE INDEX decisions_outcome ON decisions (outcome, seq);
   CREATE INDEX decisions_recorded ON decisions (recorded_at, seq);
   CREATE TABLE idempotency (
     action TEXT NOT NULL,
     key TEXT NOT NULL,
     decision_id TEXT NOT NULL,
     payload_hash TEXT NOT NULL,
     expires_at ${d.time} NOT NULL,
     PRIMARY KEY (action, key)
   );
   CREATE TABLE chain_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq ${d.seq} NOT NULL, hash TEXT NOT NULL);
   INSERT INTO chain_head VALUES (1, 0, '${GENESIS}');`,
  // The expiry sweep finds expired keys without reading the whole table.
  'CREATE INDEX idempotency_expires ON idempotency (expires_at);',
];

/** A sweep deletes at most this many expired keys per statement. */
export const EXPIRE_BATCH = 1000;

/** One batch of the expiry sweep; its one parameter is the time now. */
export const expireQuery = (d: Dialect): string =>
  `DELETE FROM idempotency WHERE (action, key) IN (SELECT action, key FROM idempotency WHERE expires_at <= ${d.param(1)} LIMIT ${EXPIRE_BATCH})`;

/**
 * Removes expired keys batch by batch, each its own short transaction, and lets the thread's other
 * work (the commits waiting on it) go between batches: a sweep after a busy day holds neither the
 * write lock nor the store's thread for long.
 */
export async function expireInBatches(deleteBatch: () => number | Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deleteBatch();
    total += n;
    if (n < EXPIRE_BATCH) return total;
    await new Promise((r) => setImmediate(r));
  }
}

/** Newest first, filtered; one row more than the page, to tell whether another page follows. */
export function listQuery(d: Dialect, q: ListQuery): { sql: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (column: string, v: unknown) => { args.push(v); where.push(`${column} ${d.param(args.length)}`); };
  if (q.action) add('action =', q.action);
  if (q.outcome) add('outcome =', q.outcome);
  if (q.since) add('recorded_at >=', q.since);
  if (q.cursor !== undefined) add('seq <', q.cursor);
  args.push(q.limit + 1);
  return { sql: `SELECT seq, record FROM decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${d.param(args.length)}`, args };
}

/** The page `listQuery` asked for, and the cursor of the next one. */
export function listPage(rows: { seq: number | string; record: string }[], limit: number): { items: DecisionRecord[]; next: number | null } {
  return { items: rows.slice(0, limit).map((r) => readRecord(r.record)), next: rows.length > limit ? Number(rows[limit - 1]!.seq) : null };
}
