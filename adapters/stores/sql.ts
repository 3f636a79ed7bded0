/**
 * The SQL both adapters share: the schema's migrations, written once over the two places where
 * the dialects differ, and the query behind `list`.
 */
import { GENESIS } from './chain.js';
import { REVIEWS_MIGRATION } from './review-sql.js';
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
  REVIEWS_MIGRATION(d),
];

/** The `outcome` values of decisions; review records hold what they did (`approved`, `extended`, …). */
export const DECISION_OUTCOMES = "('approve', 'review', 'reject')";

/** Newest first, filtered; one row more than the page, to tell whether another page follows. */
export function listQuery(d: Dialect, q: ListQuery): { sql: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (column: string, v: unknown) => { args.push(v); where.push(`${column} ${d.param(args.length)}`); };
  if (q.action) add('action =', q.action);
  if (q.outcome) add('outcome =', q.outcome);
  else where.push(`outcome IN ${DECISION_OUTCOMES}`);
  if (q.since) add('recorded_at >=', q.since);
  if (q.cursor !== undefined) add('seq <', q.cursor);
  args.push(q.limit + 1);
  return { sql: `SELECT seq, record FROM decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${d.param(args.length)}`, args };
}

/** The page `listQuery` asked for, and the cursor of the next one. */
export function listPage(rows: { seq: number | string; record: string }[], limit: number): { items: DecisionRecord[]; next: number | null } {
  return { items: rows.slice(0, limit).map((r) => JSON.parse(r.record) as DecisionRecord), next: rows.length > limit ? Number(rows[limit - 1]!.seq) : null };
}
