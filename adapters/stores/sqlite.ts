/**
 * The embedded store: SQLite through better-sqlite3, in WAL mode. `synchronous=FULL` (the default)
 * makes every commit durable against power loss, not only against a crash of the process; group
 * commit keeps that affordable. BEGIN IMMEDIATE takes the write lock for a whole batch, so several
 * processes may share one file and the chain stays linear.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ChainVerifier, keyOf, rowOf, type Existing, type Head, type Op, type StoredRow } from './chain.js';
import { GroupCommit } from './group-commit.js';
import { DatabaseFiles } from './sqlite-file.js';
import { readLogRecord, readRecord } from './record.js';
import { logBatch } from './review-chain.js';
import { attemptOf, claimDeliveries, commandChange, completeAttempt, DELIVERY_COUNTS, deliveryOf, deliveryPage, insertAttempt, insertDeliveries, listDeliveries, SELECT_ATTEMPTS, SELECT_DELIVERY, type AttemptRow, type DeliveryRow } from './outbox-sql.js';
import { DUE_REVIEWS, insertReviews, listReviews, QUEUE_DEPTH, reviewOf, reviewPage, SELECT_REVIEW, updateReview, type ReviewRow } from './review-sql.js';
import { DECISION_OUTCOMES, EXCEPTION_RECORDS, expireInBatches, expireQuery, listPage, listQuery, migrations, SQLITE } from './sql.js';
import { StoreMissingError, StoreRefusedError, StoreUnavailableError, type AppendResult, type ListQuery, type LocalStore, type LogItem, type LogResult } from './store.js';
import type { DeliveryCommandResult, ExceptionCommandResult, ExceptionRecord, ReviewEventResult } from '../../gate/ports.js';

const MIGRATIONS = migrations(SQLITE);
export const PAGE_SIZE = 8192;

export interface SqliteOptions {
  synchronous?: 'full' | 'normal' | undefined;
  /** open only a store that exists, and change nothing in it (commands that only read) */
  mustExist?: boolean | undefined;
  /** how long a write waits for another process's lock, and an append for its commit, ms */
  timeoutMs?: number | undefined;
}

export function openSqlite(path: string, options: SqliteOptions = {}): LocalStore {
  const db = openDatabase(path, options);
  const files = path === ':memory:' ? undefined : DatabaseFiles.of(path);
  const s = statements(db);
  const exec = executor(db, s);
  const runBatch = db.transaction((items: readonly LogItem[]): LogResult[] => {
    const gen = logBatch(items);
    let step = gen.next();
    while (!step.done) step = gen.next(exec(step.value));
    return step.value;
  });

  const writable = (): void => {
    const p = files?.problem();
    if (p) throw new StoreUnavailableError(`SQLite cannot write durably: ${p}`);
  };
  // Reads too: a file that is no longer at its path holds answers that will not survive a restart.
  const guard = <T>(read: () => T): T => {
    if (closed) throw new StoreUnavailableError('the store is closed');
    const p = files?.problem(true);
    if (p) throw new StoreUnavailableError(`the SQLite decision log is not where it was opened: ${p}`);
    try {
      return read();
    } catch (e) {
      throw sqliteFailure(e, 'SQLite read failed');
    }
  };
  const commitBatch = async (items: LogItem[]): Promise<LogResult[]> => {
    writable();
    let results: LogResult[];
    try {
      results = runBatch.immediate(items);
    } catch (e) {
      throw sqliteFailure(e, 'SQLite write failed');
    }
    // Committed, but into the file that is still at the path? If not, the commit is not durable.
    const after = files?.problem(true);
    if (after) throw new StoreUnavailableError(`SQLite cannot write durably: ${after}`);
    return results;
  };
  const group = new GroupCommit(commitBatch, { waitMs: options.timeoutMs });
  let closed = false;

  return {
    kind: 'sqlite',
    commitBatch,
    append: (item) => (closed ? Promise.reject(new StoreUnavailableError('the store is closed')) : group.append(item) as Promise<AppendResult>),
    appendReview: (event) => (closed ? Promise.reject(new StoreUnavailableError('the store is closed')) : group.append(event) as Promise<ReviewEventResult>),
    review: async (id) => guard(() => {
      const r = s.review.get(id) as ReviewRow | undefined;
      return r && reviewOf(r);
    }),
    reviews: async (q) => guard(() => {
      const { sql, args } = listReviews(SQLITE, q);
      return reviewPage(db.prepare(sql).all(...args) as ReviewRow[], q);
    }),
    dueReviews: async (now, limit) => guard(() => (s.due.all(now, limit) as ReviewRow[]).map(reviewOf)),
    queueDepth: async () => guard(() => (s.depth.all() as { queue: string; pending: number; oldest: string }[]).map((r) => ({ queue: r.queue, pending: r.pending, oldestAt: r.oldest }))),
    appendDelivery: (cmd) => (closed ? Promise.reject(new StoreUnavailableError('the store is closed')) : group.append(cmd) as Promise<DeliveryCommandResult>),
    appendException: (cmd) => (closed ? Promise.reject(new StoreUnavailableError('the store is closed')) : group.append(cmd) as Promise<ExceptionCommandResult>),
    exceptionRecords: async () => guard(() => (db.prepare(EXCEPTION_RECORDS).all() as { record: string }[]).map((r) => JSON.parse(r.record) as ExceptionRecord)),
    // Outside the group commit: one statement each, under the write lock SQLite takes for it.
    claimDeliveries: async (now, lease, until, limit) => {
      writable();
      return guard(() => {
        const { sql, args } = claimDeliveries(SQLITE, now, lease, until, limit);
        return (db.prepare(sql).all(...args) as DeliveryRow[]).map(deliveryOf);
      });
    },
    completeAttempt: async (o) => {
      writable();
      return guard(() => db.transaction(() => {
        const { sql, args } = completeAttempt(SQLITE, o.deliveryId, o.lease, o.next.status, o.next.status === 'pending' ? o.next.at : null, o.attempt.error, o.at, o.next.status === 'delivered');
        if (db.prepare(sql).run(...args).changes !== 1) return false;
        const ins = insertAttempt(SQLITE, o.deliveryId, o.attempt);
        db.prepare(ins.sql).run(...ins.args);
        return true;
      }).immediate());
    },
    deliveries: async (q) => guard(() => {
      const { sql, args } = listDeliveries(SQLITE, q);
      return deliveryPage(db.prepare(sql).all(...args) as DeliveryRow[], q);
    }),
    delivery: async (id) => guard(() => {
      const row = s.delivery.get(id) as DeliveryRow | undefined;
      return row && { delivery: deliveryOf(row), attempts: (s.attempts.all(id) as AttemptRow[]).map(attemptOf) };
    }),
    deliveryCounts: async () => guard(() => (s.deliveryCounts.all() as { status: DeliveryRow['status']; count: number }[]).map((r) => ({ status: r.status, count: Number(r.count) }))),
    get: async (id) => guard(() => {
      const r = s.get.get(id) as { record: string } | undefined;
      return r && readRecord(r.record);
    }),
    list: async (q: ListQuery) => guard(() => {
      const { sql, args } = listQuery(SQLITE, q);
      return listPage(db.prepare(sql).all(...args) as { seq: number; record: string }[], q.limit);
    }),
    // One read transaction: a consistent snapshot while writers go on.
    verify: async () => guard(() => db.transaction(() => {
      const v = new ChainVerifier();
      let after = 0;
      for (;;) {
        const rows = s.page.all(after) as StoredRow[];
        for (const r of rows) if (!v.step(rowOf(r))) return v.end(undefined);
        if (rows.length < 1000) break;
        after = Number(rows.at(-1)!.seq);
      }
      return v.end(s.head.get() as Head);
    })()),
    async *export(since) {
      let after = 0;
      for (;;) {
        const rows = guard(() => s.pageSince.all(after, since ?? '') as { seq: number; record: string }[]);
        for (const r of rows) yield readLogRecord(r.record);
        if (rows.length < 1000) return;
        after = rows.at(-1)!.seq;
      }
    },
    expireKeys: (now) => expireInBatches(() => {
      writable();
      return guard(() => s.expire.run(now).changes);
    }),
    // Readiness means a commit would succeed: the files are in place and writable, and the write
    // lock can be taken and a row written (then rolled back, so nothing reaches the disk).
    async ping() {
      writable();
      guard(() => {
        db.exec('BEGIN IMMEDIATE');
        try {
          s.touchHead.run();
        } finally {
          db.exec('ROLLBACK');
        }
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await group.idle();
      db.close();
    },
  };
}

function openDatabase(path: string, options: SqliteOptions): Database.Database {
  if (options.mustExist) return openExisting(path);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (e) {
    throw new StoreUnavailableError(`cannot open SQLite database \`${path}\`: ${(e as Error).message}`, e);
  }
  try {
    // A new file only (an existing one keeps its page size): a record of 2 KB, as a decision with a
    // request of 1 KB and a summary trace makes, fits one to a 4 KB page but three to an 8 KB one.
    db.pragma(`page_size = ${PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma(`busy_timeout = ${options.timeoutMs ?? 10_000}`);
    migrate(db);
  } catch (e) {
    db.close();
    throw new StoreUnavailableError(`cannot prepare SQLite database \`${path}\`: ${(e as Error).message}`, e);
  }
  return db;
}

/** For commands that only read: no folder, file, table or migration is created. */
function openExisting(path: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: true });
  } catch (e) {
    throw new StoreMissingError(`there is no SQLite store at \`${path}\` (${(e as Error).message}); nothing was created`);
  }
  let version: number;
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    version = table ? (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v : 0;
  } catch (e) {
    db.close();
    throw new StoreMissingError(`\`${path}\` is not an Arbiter store: ${(e as Error).message}`);
  }
  if (version < MIGRATIONS.length) {
    db.close();
    throw new StoreMissingError(version === 0 ? `\`${path}\` is not an Arbiter store: it holds no decision log` : `\`${path}\` is an older Arbiter store (schema ${version}); \`arbiter serve\` upgrades it`);
  }
  return db;
}

function statements(db: Database.Database) {
  return {
    head: db.prepare('SELECT seq, hash FROM chain_head WHERE id = 1'),
    touchHead: db.prepare('UPDATE chain_head SET seq = seq WHERE id = 1'),
    claim: db.prepare(`INSERT INTO idempotency (action, key, decision_id, payload_hash, expires_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (action, key) DO UPDATE SET decision_id = excluded.decision_id, payload_hash = excluded.payload_hash, expires_at = excluded.expires_at
      WHERE idempotency.expires_at <= ?`),
    lookup: db.prepare(`SELECT i.decision_id, i.payload_hash, d.record FROM idempotency i LEFT JOIN decisions d ON d.id = i.decision_id WHERE i.action = ? AND i.key = ?`),
    insert: db.prepare(`INSERT INTO decisions (seq, id, action, outcome, idempotency_key, recorded_at, record, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    setHead: db.prepare('UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1'),
    get: db.prepare(`SELECT record FROM decisions WHERE id = ? AND outcome IN ${DECISION_OUTCOMES}`),
    review: db.prepare(SELECT_REVIEW(SQLITE)),
    delivery: db.prepare(SELECT_DELIVERY(SQLITE)),
    attempts: db.prepare(SELECT_ATTEMPTS(SQLITE)),
    deliveryCounts: db.prepare(DELIVERY_COUNTS),
    due: db.prepare(DUE_REVIEWS(SQLITE)),
    depth: db.prepare(QUEUE_DEPTH),
    page: db.prepare('SELECT seq, id, action, outcome, idempotency_key, recorded_at, record, prev_hash, hash FROM decisions WHERE seq > ? ORDER BY seq LIMIT 1000'),
    pageSince: db.prepare('SELECT seq, record FROM decisions WHERE seq > ? AND recorded_at >= ? ORDER BY seq LIMIT 1000'),
    expire: db.prepare(expireQuery(SQLITE)),
  };
}

/** Runs the chain plan's operations on the prepared statements. */
function executor(db: Database.Database, s: ReturnType<typeof statements>): (op: Op) => unknown {
  return (op) => {
    switch (op.op) {
      case 'head': return s.head.get() as Head;
      case 'claim': {
        const taken = new Set<string>();
        for (const c of op.claims) if (s.claim.run(c.action, c.key, c.decisionId, c.payloadHash, c.expiresAt, op.now).changes === 1) taken.add(keyOf(c.action, c.key));
        return taken;
      }
      case 'lookup': {
        const found = new Map<string, Existing>();
        for (const k of op.keys) {
          const r = s.lookup.get(k.action, k.key) as { decision_id: string; payload_hash: string; record: string | null };
          found.set(keyOf(k.action, k.key), { decisionId: r.decision_id, payloadHash: r.payload_hash, text: r.record });
        }
        return found;
      }
      case 'insert':
        for (const r of op.rows) s.insert.run(r.seq, r.id, r.action, r.outcome, r.idempotencyKey, r.recordedAt, r.text, r.prevHash, r.hash);
        return undefined;
      case 'setHead':
        s.setHead.run(op.head.seq, op.head.hash);
        return undefined;
      case 'insertReviews':
        for (const { sql, args } of insertReviews(SQLITE, op.reviews)) db.prepare(sql).run(...args);
        return undefined;
      case 'review': {
        const { sql, args } = updateReview(SQLITE, op.change);
        const taken = db.prepare(sql).run(...args).changes === 1;
        const row = s.review.get(op.change.id) as ReviewRow | undefined;
        return { taken, review: row && reviewOf(row) };
      }
      case 'insertDeliveries': {
        const { sql, args } = insertDeliveries(SQLITE, op.events);
        db.prepare(sql).run(...args);
        return undefined;
      }
      case 'deliveryCommand': {
        const { sql, args } = commandChange(SQLITE, op.command);
        const taken = db.prepare(sql).run(...args).changes === 1;
        const row = s.delivery.get(op.command.deliveryId) as DeliveryRow | undefined;
        return { taken, delivery: row && deliveryOf(row) };
      }
    }
  };
}

/**
 * SQLite's verdicts on one item's values (a constraint, a value too big or of the wrong type)
 * refuse that item; any other failure is the store's.
 */
const ITEM_FAULTS = /^SQLITE_(CONSTRAINT|TOOBIG|MISMATCH|RANGE)/;

/**
 * The errors better-sqlite3 throws when it cannot bind one value (src/util/binder.cpp, checked
 * against 12.10): a type SQLite cannot hold, and a string, buffer or bigint past its limits. Its
 * other TypeErrors and RangeErrors (a closed or busy connection, a statement given the wrong
 * number of values) and any thrown by our own code say nothing about the item, so they are the
 * store failing, not a refusal that would fail one item with 500 while the store is broken.
 */
const UNBINDABLE = new Set([
  'SQLite3 can only bind numbers, strings, bigints, buffers, and null',
  'The bound string, buffer, or bigint is too big',
]);

export function sqliteFailure(e: unknown, what: string): Error {
  if (e instanceof StoreUnavailableError || e instanceof StoreRefusedError) return e;
  const message = `${what}: ${(e as Error).message}`;
  const refused = e instanceof Database.SqliteError ? ITEM_FAULTS.test(e.code) : (e instanceof TypeError || e instanceof RangeError) && UNBINDABLE.has(e.message);
  return refused ? new StoreRefusedError(message, e) : new StoreUnavailableError(message, e);
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  db.transaction(() => {
    const done = (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
    MIGRATIONS.forEach((sql, i) => {
      if (i + 1 <= done) return;
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(i + 1, new Date().toISOString());
    });
  }).immediate();
}
