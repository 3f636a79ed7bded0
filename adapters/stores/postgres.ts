/**
 * The PostgreSQL store, for several gate replicas on one database. Every group commit locks the
 * chain head, so appends from all replicas form one linear chain; idempotency claims are one
 * multi-row INSERT … ON CONFLICT on the (action, key) primary key, so concurrent duplicates resolve
 * to one decision. How a commit usually takes one round trip is in postgres-commit.ts.
 *
 * Every wait is bounded by `timeoutMs`: connecting and waiting for a pooled connection
 * (connectionTimeoutMillis), a lock such as the chain head another session holds (lock_timeout),
 * a statement (statement_timeout), and a server that stopped answering at all (query_timeout, on
 * this side of the wire). A connection that timed out is discarded, not reused; the pool opens
 * new ones, so the store recovers by itself once the server answers again.
 */
import pg from 'pg';
import type { DeliveryCommandResult, ExceptionCommandResult, ExceptionRecord, ReviewEventResult } from '../../gate/ports.js';
import { attemptOf, claimDeliveries, completeAttempt, DELIVERY_COUNTS, deliveryOf, deliveryPage, insertAttempt, listDeliveries, SELECT_ATTEMPTS, SELECT_DELIVERY, type AttemptRow, type DeliveryRow } from './outbox-sql.js';
import { ChainVerifier, rowOf, type StoredRow } from './chain.js';
import { GroupCommit } from './group-commit.js';
import { PostgresCommit, rowHead } from './postgres-commit.js';
import { readLogRecord, readRecord } from './record.js';
import { DUE_REVIEWS, listReviews, QUEUE_DEPTH, reviewOf, reviewPage, SELECT_REVIEW, type ReviewRow } from './review-sql.js';
import { DECISION_OUTCOMES, EXCEPTION_RECORDS, expireInBatches, expireQuery, listPage, listQuery, migrations, POSTGRES } from './sql.js';
import { StoreMissingError, StoreRefusedError, StoreUnavailableError, type AppendResult, type ListQuery, type LocalStore, type LogItem } from './store.js';

const MIGRATIONS = migrations(POSTGRES);

/** Serialises migrations when several replicas start at once. */
const MIGRATION_LOCK = 0x4172_6269;

export const DEFAULT_TIMEOUT_MS = 2000;

export interface PostgresOptions {
  poolSize?: number | undefined;
  mustExist?: boolean | undefined;
  timeoutMs?: number | undefined;
}

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<LocalStore> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const bounded = (max: number, pipeline = false) => {
    const p = new pg.Pool({
      connectionString: url, max, pipeline,
      connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs, lock_timeout: timeoutMs, query_timeout: timeoutMs,
      idle_in_transaction_session_timeout: 4 * timeoutMs,
    });
    p.on('error', () => { /* an idle client failed; the next query reconnects */ });
    // A connection that ends while in use fails the queries it was running, which is how a commit
    // learns of it; pg emits an error event too, which would otherwise end the whole process.
    p.on('connect', (client) => client.on('error', () => {}));
    return p;
  };
  const pool = bounded(options.poolSize ?? 4);
  // Commits run one at a time on a connection of their own: a commit never waits for a pooled
  // connection that reads hold, so its wait is one connect or one statement, not both in turn.
  // Pipelined: a commit sends statements that do not need each other's answers together.
  const writer = bounded(1, true);
  try {
    await (options.mustExist ? checkSchema(pool, url) : migrate(url, timeoutMs));
  } catch (e) {
    await Promise.all([pool.end(), writer.end()]).catch(() => {});
    if (e instanceof StoreMissingError) throw e;
    if ((e as { code?: string }).code === '3D000' && options.mustExist) throw new StoreMissingError(`there is no PostgreSQL database at \`${redact(url)}\`: ${(e as Error).message}`);
    throw new StoreUnavailableError(`cannot prepare PostgreSQL at \`${redact(url)}\`: ${(e as Error).message}`, e);
  }

  /** Runs `work` on one connection; a connection that failed for any reason but a refused value is discarded. */
  const withClient = async <T>(what: string, work: (c: pg.PoolClient) => Promise<T>, from = pool): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await from.connect();
    } catch (e) {
      throw new StoreUnavailableError(`PostgreSQL is unreachable: ${(e as Error).message}`, e);
    }
    let err: Error | undefined;
    try {
      return await work(client);
    } catch (e) {
      err = failure(e, what);
      throw err;
    } finally {
      client.release(err instanceof StoreUnavailableError ? err : undefined);
    }
  };

  const commits = new PostgresCommit();
  const commitBatch = (items: LogItem[]) => withClient('PostgreSQL write failed', (client) => commits.commit(client, items), writer);
  const group = new GroupCommit(commitBatch, { waitMs: timeoutMs });
  let closed = false;

  const query = <R extends pg.QueryResultRow>(sql: string, args: unknown[] = []): Promise<R[]> =>
    withClient('PostgreSQL query failed', async (c) => (await c.query<R>(sql, args)).rows);

  return {
    kind: 'postgres',
    commitBatch,
    append: (item) => (closed ? Promise.reject(new StoreUnavailableError('the store is closed')) : group.append(item) as Promise<AppendResult>),
    appendReview: (event) => (closed ? Promise.reject(new StoreUnavailableError('the store is closed')) : group.append(event) as Promise<ReviewEventResult>),
    async review(id) {
      const rows = await query<ReviewRow>(SELECT_REVIEW(POSTGRES), [id]);
      return rows[0] && reviewOf(rows[0]);
    },
    async reviews(q) {
      const { sql, args } = listReviews(POSTGRES, q);
      return reviewPage(await query<ReviewRow>(sql, args), q);
    },
    dueReviews: async (now, limit) => (await query<ReviewRow>(DUE_REVIEWS(POSTGRES), [now, limit])).map(reviewOf),
    queueDepth: async () => (await query<{ queue: string; pending: string; oldest: string }>(QUEUE_DEPTH)).map((r) => ({ queue: r.queue, pending: Number(r.pending), oldestAt: r.oldest })),
    appendDelivery: (cmd) => (closed ? Promise.reject(new StoreUnavailableError('the store is closed')) : group.append(cmd) as Promise<DeliveryCommandResult>),
    appendException: (cmd) => (closed ? Promise.reject(new StoreUnavailableError('the store is closed')) : group.append(cmd) as Promise<ExceptionCommandResult>),
    exceptionRecords: async () => (await query<{ record: string }>(EXCEPTION_RECORDS, [])).map((r) => JSON.parse(r.record) as ExceptionRecord),
    async claimDeliveries(now, lease, until, limit) {
      const { sql, args } = claimDeliveries(POSTGRES, now, lease, until, limit);
      return (await query<DeliveryRow>(sql, args)).map(deliveryOf);
    },
    completeAttempt: (o) => withClient('PostgreSQL write failed', async (c) => {
      await c.query('BEGIN');
      try {
        const { sql, args } = completeAttempt(POSTGRES, o.deliveryId, o.lease, o.next.status, o.next.status === 'pending' ? o.next.at : null, o.attempt.error, o.at, o.next.status === 'delivered');
        if ((await c.query(sql, args)).rowCount !== 1) {
          await c.query('ROLLBACK');
          return false;
        }
        const ins = insertAttempt(POSTGRES, o.deliveryId, o.attempt);
        await c.query(ins.sql, ins.args);
        await c.query('COMMIT');
        return true;
      } catch (e) {
        if (e instanceof pg.DatabaseError) await c.query('ROLLBACK').catch(() => {});
        throw e;
      }
    }),
    async deliveries(q) {
      const { sql, args } = listDeliveries(POSTGRES, q);
      return deliveryPage(await query<DeliveryRow>(sql, args), q);
    },
    async delivery(id) {
      const rows = await query<DeliveryRow>(SELECT_DELIVERY(POSTGRES), [id]);
      return rows[0] && { delivery: deliveryOf(rows[0]), attempts: (await query<AttemptRow>(SELECT_ATTEMPTS(POSTGRES), [id])).map(attemptOf) };
    },
    deliveryCounts: async () => (await query<{ status: DeliveryRow['status']; count: string }>(DELIVERY_COUNTS)).map((r) => ({ status: r.status, count: Number(r.count) })),
    async get(id) {
      const rows = await query<{ record: string }>(`SELECT record FROM decisions WHERE id = $1 AND outcome IN ${DECISION_OUTCOMES}`, [id]);
      return rows[0] && readRecord(rows[0].record);
    },
    async list(q: ListQuery) {
      const { sql, args } = listQuery(POSTGRES, q);
      return listPage(await query<{ seq: string; record: string }>(sql, args), q.limit);
    },
    verify: () => withClient('PostgreSQL read failed', async (client) => {
      // One snapshot for the whole walk, while writers go on; the walk may take longer than one statement's bound.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const v = new ChainVerifier();
        let after = 0;
        for (;;) {
          const rows = (await client.query('SELECT seq, id, action, outcome, idempotency_key, recorded_at, record, prev_hash, hash FROM decisions WHERE seq > $1 ORDER BY seq LIMIT 1000', [after])).rows as StoredRow[];
          for (const r of rows) if (!v.step(rowOf(r))) return v.end(undefined);
          if (rows.length < 1000) break;
          after = Number(rows.at(-1)!.seq);
        }
        return v.end(rowHead((await client.query('SELECT seq, hash FROM chain_head WHERE id = 1')).rows[0]));
      } finally {
        await client.query('COMMIT').catch(() => {});
      }
    }),
    async *export(since) {
      let after = 0;
      for (;;) {
        const rows = await query<{ seq: string; record: string }>('SELECT seq, record FROM decisions WHERE seq > $1 AND recorded_at >= $2 ORDER BY seq LIMIT 1000', [after, since ?? '']);
        for (const r of rows) yield readLogRecord(r.record);
        if (rows.length < 1000) return;
        after = Number(rows.at(-1)!.seq);
      }
    },
    expireKeys: (now) => expireInBatches(() => withClient('PostgreSQL write failed', async (c) => (await c.query(expireQuery(POSTGRES), [now])).rowCount ?? 0)),
    // Readiness means a commit would succeed: take the chain head's lock as a commit does (within
    // lock_timeout), then roll back. A read-only server or a head held elsewhere is not ready.
    ping: () => withClient('PostgreSQL is not ready', async (c) => {
      await c.query('BEGIN');
      try {
        await c.query('SELECT seq FROM chain_head WHERE id = 1 FOR UPDATE');
      } finally {
        await c.query('ROLLBACK').catch(() => {});
      }
    }),
    async close() {
      if (closed) return;
      closed = true;
      await group.idle();
      await Promise.all([pool.end(), writer.end()]);
    },
  };
}

/**
 * SQLSTATE classes that judge a value, not the server: data exceptions (22: a NUL byte, a bad
 * encoding), integrity constraints (23: an id recorded before) and program limits (54: a value too
 * big). Everything else (connections, timeouts, lock waits, a read-only server) is the store's.
 */
const ITEM_FAULTS = new Set(['22', '23', '54']);

function failure(e: unknown, what: string): Error {
  if (e instanceof StoreUnavailableError || e instanceof StoreRefusedError) return e;
  const message = `${what}: ${(e as Error).message}`;
  if (e instanceof pg.DatabaseError && ITEM_FAULTS.has((e.code ?? '').slice(0, 2))) return new StoreRefusedError(message, e);
  return new StoreUnavailableError(message, e);
}

/** On a connection of its own, without the statement bounds: it waits for another replica's migration, as long as that takes. */
async function migrate(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const done = Number((await client.query('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations')).rows[0].v);
    for (let i = done; i < MIGRATIONS.length; i++) {
      await client.query('BEGIN');
      await client.query(MIGRATIONS[i]!);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [i + 1, new Date().toISOString()]);
      await client.query('COMMIT');
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
}

/** For commands that only read: the database must already hold the decision log; nothing is created. */
async function checkSchema(pool: pg.Pool, url: string): Promise<void> {
  const r = await pool.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  const version = r.rows[0]!.t === null ? 0 : Number((await pool.query<{ v: number }>('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations')).rows[0]!.v);
  if (version === 0) throw new StoreMissingError(`\`${redact(url)}\` is not an Arbiter store: it holds no decision log; nothing was created`);
  if (version < MIGRATIONS.length) throw new StoreMissingError(`\`${redact(url)}\` is an older Arbiter store (schema ${version}); \`arbiter serve\` upgrades it`);
}

/** A connection URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
