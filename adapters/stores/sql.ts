/**
 * The SQL both adapters share: the schema's migrations, written once over the places where the
 * dialects differ, and the query behind `list`. PostgreSQL's schema also holds the function its
 * group commits call (postgres-commit.ts says why).
 */
import { GENESIS } from './chain.js';
import { readRecord } from './record.js';
import { DELIVERIES_MIGRATION } from './outbox-sql.js';
import { REVIEWS_MIGRATION } from './review-sql.js';
import type { DecisionRecord, ListQuery } from './store.js';

export interface Dialect {
  kind: 'sqlite' | 'postgres';
  /** the chain's position: SQLite's INTEGER PRIMARY KEY is the row id; PostgreSQL needs BIGINT */
  seq: 'INTEGER' | 'BIGINT';
  /** ISO times compared as text: PostgreSQL's default collation need not order them bytewise */
  time: 'TEXT' | 'TEXT COLLATE "C"';
  /** the n-th (from 1) query parameter */
  param(n: number): string;
}

export const SQLITE: Dialect = { kind: 'sqlite', seq: 'INTEGER', time: 'TEXT', param: () => '?' };
export const POSTGRES: Dialect = { kind: 'postgres', seq: 'BIGINT', time: 'TEXT COLLATE "C"', param: (n) => `$${n}` };

/**
 * Migration n (from 1) is element n - 1; applied ones are listed in `schema_migrations`. Each list
 * only grows at its end; a migration that one dialect does not need is left out of its list, so
 * the two may number the same migration differently.
 */
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
  ...(d.kind === 'postgres' ? [APPEND_FUNCTION] : []),
  // The review queue (review-sql.ts): 3 on SQLite, 4 on PostgreSQL, after its commit function.
  REVIEWS_MIGRATION(d),
  // The delivery outbox and its attempts (outbox-sql.ts): 4 on SQLite, 5 on PostgreSQL.
  DELIVERIES_MIGRATION(d),
];

/** The `outcome` values of decisions; review records hold what they did (`approved`, `extended`, …). */
export const DECISION_OUTCOMES = "('approve', 'review', 'reject')";
/** Every exception grant and revoke, in chain order (gate/exceptions.ts loads them at start). */
export const EXCEPTION_RECORDS = "SELECT record FROM decisions WHERE outcome IN ('exception_granted', 'exception_revoked') ORDER BY seq";

/**
 * Writes one group commit that the gate planned against the chain head (head_seq, head_hash):
 * claims the keys, inserts the records and moves the head. It writes nothing and answers false
 * when that is no longer the head, another session holds the head's lock (which it is usually
 * about to move: the gate then plans again and waits for the lock there), or a key to claim is
 * held past batch_now.
 */
const APPEND_FUNCTION = `CREATE FUNCTION arbiter_append(
     head_seq BIGINT, head_hash TEXT, new_seq BIGINT, new_hash TEXT, batch_now TEXT,
     claim_actions TEXT[], claim_keys TEXT[], claim_decisions TEXT[], claim_payloads TEXT[], claim_expiries TEXT[],
     row_seqs BIGINT[], row_ids TEXT[], row_actions TEXT[], row_outcomes TEXT[], row_keys TEXT[], row_times TEXT[], row_prevs TEXT[], row_hashes TEXT[],
     row_records TEXT[]
   ) RETURNS BOOLEAN LANGUAGE plpgsql
   -- Plan each statement for the batch and tables at hand, as separate statements would be: a plan
   -- kept from while the tables were small would go on scanning them whole as they grow.
   SET plan_cache_mode = force_custom_plan
   AS $$
   DECLARE
     claimed BIGINT;
   BEGIN
     PERFORM FROM chain_head WHERE id = 1 AND seq = head_seq AND hash = head_hash FOR UPDATE SKIP LOCKED;
     IF NOT FOUND THEN RETURN false; END IF;
     -- Keys are claimed only by sessions holding the head's lock, and this statement's snapshot is newer than the lock.
     PERFORM FROM idempotency i JOIN unnest(claim_actions, claim_keys) AS c (action, key) ON i.action = c.action AND i.key = c.key
       WHERE i.expires_at > batch_now;
     IF FOUND THEN RETURN false; END IF;
     INSERT INTO idempotency (action, key, decision_id, payload_hash, expires_at)
       SELECT * FROM unnest(claim_actions, claim_keys, claim_decisions, claim_payloads, claim_expiries)
       ON CONFLICT (action, key) DO UPDATE SET decision_id = excluded.decision_id, payload_hash = excluded.payload_hash, expires_at = excluded.expires_at
       WHERE idempotency.expires_at <= batch_now;
     GET DIAGNOSTICS claimed = ROW_COUNT;
     IF claimed <> cardinality(claim_keys) THEN
       RAISE EXCEPTION 'an idempotency key changed while this commit held the chain head''s lock';
     END IF;
     INSERT INTO decisions (seq, id, action, outcome, idempotency_key, recorded_at, record, prev_hash, hash)
       SELECT * FROM unnest(row_seqs, row_ids, row_actions, row_outcomes, row_keys, row_times, row_records, row_prevs, row_hashes);
     UPDATE chain_head SET seq = new_seq, hash = new_hash WHERE id = 1;
     RETURN true;
   END $$;`;

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
  else where.push(`outcome IN ${DECISION_OUTCOMES}`);
  if (q.since) add('recorded_at >=', q.since);
  if (q.cursor !== undefined) add('seq <', q.cursor);
  args.push(q.limit + 1);
  return { sql: `SELECT seq, record FROM decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${d.param(args.length)}`, args };
}

/** The page `listQuery` asked for, and the cursor of the next one. */
export function listPage(rows: { seq: number | string; record: string }[], limit: number): { items: DecisionRecord[]; next: number | null } {
  return { items: rows.slice(0, limit).map((r) => readRecord(r.record)), next: rows.length > limit ? Number(rows[limit - 1]!.seq) : null };
}
