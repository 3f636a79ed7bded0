/**
 * How the PostgreSQL store commits a group commit: usually in one statement, one round trip.
 *
 * The records' seq and hashes follow from the chain head, and which items become records follows
 * from the keys already held, so the plan (chain.ts `appendBatch`, the one SQLite runs) needs both
 * before it can write. Asking for them first costs round trips while the head is locked. Instead
 * the batch is planned against what this store knows: the head it wrote last, and no key held.
 * One call of `arbiter_append` (a function of the schema, sql.ts) then locks the head, checks that
 * guess and writes the plan's claims, records and new head; the statement commits by itself.
 *
 * When the guess is wrong (the first batch, another replica appended since, a key seen before, or
 * another session holds the head's lock), the function writes nothing and the batch is planned
 * again in a transaction that locks the head and reads it and the batch's keys: two round trips,
 * each of pipelined statements (BEGIN and the two reads; the same function call and COMMIT).
 * Either way the head's lock orders all appends of all replicas into one chain.
 *
 * A batch that carries review or outbox rows (a `review` decision's queue entry, a verdict, an
 * outbox event, a replay or purge) is written
 * op by op instead, in one transaction that locks the head first, as SQLite writes every batch
 * (review-chain.ts `logBatch`). A verdict writes its record only if its conditional UPDATE of the
 * review row took, which the plan cannot know before the row is read under the lock; carrying
 * that into `arbiter_append` would write the review conditions (review-sql.ts) a second time, in
 * PL/pgSQL. Reviews are the rare batches, so they pay the round trips and keep one definition.
 *
 * Not chosen: computing the chain in SQL would write the record text, the hash and the plan a
 * second time, in another language, and make the server's text encoding part of the hash; and
 * pipelining the plan's statements alone still needs two round trips, the head locked across one.
 */
import pg from 'pg';
import { appendBatch, claimAction, keyOf, type Claim, type Existing, type Head, type Op, type Row } from './chain.js';
import { isDeliveryCommand, isExceptionCommand, isReviewEvent, logBatch } from './review-chain.js';
import { commandChange, deliveryOf, insertDeliveries, SELECT_DELIVERY, type DeliveryRow } from './outbox-sql.js';
import { insertReviews, reviewOf, SELECT_REVIEW, updateReview, type ReviewRow } from './review-sql.js';
import { POSTGRES } from './sql.js';
import { StoreUnavailableError, type AppendItem, type AppendResult, type LogItem, type LogResult } from './store.js';

/** What a batch is planned against: the chain head, and the batch's keys that a decision holds. */
interface Known { head: Head; held: Map<string, Held> }
interface Held extends Existing { expiresAt: string }

/** A planned batch's writes, checked against the head it was planned on: the arguments of `arbiter_append`. */
interface Writes { expect: Head; claims: Claim[]; now: string; rows: Row[]; head: Head }

/**
 * The call of `arbiter_append` for `n` records. Each record's text is a parameter of its own: as
 * one array parameter, pg would escape every quote in it, which costs more than the rest of the
 * commit on this side.
 */
const appendCall = (n: number) => {
  const params = (from: number, count: number) => Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');
  return `SELECT arbiter_append(${params(1, 18)}, ARRAY[${params(19, n)}]::text[]) AS ok`;
};
const HELD = `SELECT i.action, i.key, i.decision_id, i.payload_hash, i.expires_at, d.record FROM idempotency i LEFT JOIN decisions d ON d.id = i.decision_id
  WHERE (i.action, i.key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`;

export class PostgresCommit {
  /** The head this store wrote or read last: the guess the next batch is planned against. */
  private head: Head | undefined;

  /** Commits `items` on `client`, a connection in pipeline mode. */
  async commit(client: pg.PoolClient, items: readonly LogItem[]): Promise<LogResult[]> {
    if (items.some((it) => isReviewEvent(it) || isDeliveryCommand(it) || isExceptionCommand(it) || it.review || it.delivery)) return this.opByOp(client, items);
    return this.decisions(client, items as readonly AppendItem[]);
  }

  private async decisions(client: pg.PoolClient, items: readonly AppendItem[]): Promise<AppendResult[]> {
    const guess = this.head;
    // Unknown until this batch is known to have committed: a failed or timed-out commit may have moved it.
    this.head = undefined;
    if (guess) {
      const { results, writes } = plan(items, { head: guess, held: new Map() });
      if (writes.rows.length && await append(client, writes)) {
        this.head = writes.head;
        return results;
      }
    }
    return this.locked(client, items);
  }

  private async locked(client: pg.PoolClient, items: readonly AppendItem[]): Promise<AppendResult[]> {
    const keyed = items.filter((i) => i.idempotencyKey !== null);
    try {
      const [, head, held] = await Promise.all([
        client.query('BEGIN'),
        client.query('SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE'),
        keyed.length ? client.query(HELD, [keyed.map(claimAction), keyed.map((i) => i.idempotencyKey)]) : undefined,
      ]);
      const known: Known = { head: rowHead(head.rows[0]), held: heldOf(held?.rows ?? []) };
      const { results, writes } = plan(items, known);
      if (!writes.rows.length) {
        await client.query('COMMIT');
        this.head = known.head;
        return results;
      }
      const [ok] = await Promise.all([append(client, writes), client.query('COMMIT')]);
      if (!ok) throw new StoreUnavailableError('PostgreSQL write failed: the chain head or a key changed while this commit held the head\'s lock');
      this.head = writes.head;
      return results;
    } catch (e) {
      // After a timeout the connection is dropped instead, which ends the transaction too.
      if (e instanceof pg.DatabaseError) await client.query('ROLLBACK').catch(() => {});
      throw e;
    }
  }

  /** Runs the plan's operations one by one inside a transaction whose first read locks the head. */
  private async opByOp(client: pg.PoolClient, items: readonly LogItem[]): Promise<LogResult[]> {
    this.head = undefined;
    await client.query('BEGIN');
    try {
      let head: Head | undefined;
      const gen = logBatch(items);
      let step = gen.next();
      while (!step.done) {
        const op = step.value;
        const answer = await exec(client, op);
        if (op.op === 'head') head ??= answer as Head;
        if (op.op === 'setHead') head = op.head;
        step = gen.next(answer);
      }
      await client.query('COMMIT');
      this.head = head;
      return step.value;
    } catch (e) {
      // After a timeout the connection is dropped instead, which ends the transaction too.
      if (e instanceof pg.DatabaseError) await client.query('ROLLBACK').catch(() => {});
      throw e;
    }
  }
}

/** One operation of the plan, as its own statement (the first `head` takes the head's lock). */
async function exec(client: pg.PoolClient, op: Op): Promise<unknown> {
  switch (op.op) {
    case 'head':
      return rowHead((await client.query('SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE')).rows[0]);
    case 'claim': {
      const c = op.claims;
      const r = await client.query<{ action: string; key: string }>(
        `INSERT INTO idempotency (action, key, decision_id, payload_hash, expires_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
         ON CONFLICT (action, key) DO UPDATE SET decision_id = excluded.decision_id, payload_hash = excluded.payload_hash, expires_at = excluded.expires_at
         WHERE idempotency.expires_at <= $6
         RETURNING action, key`,
        [c.map((x) => x.action), c.map((x) => x.key), c.map((x) => x.decisionId), c.map((x) => x.payloadHash), c.map((x) => x.expiresAt), op.now]);
      return new Set(r.rows.map((x) => keyOf(x.action, x.key)));
    }
    case 'lookup':
      return heldOf((await client.query(HELD, [op.keys.map((k) => k.action), op.keys.map((k) => k.key)])).rows);
    case 'insert': {
      const rs = op.rows;
      await client.query(
        `INSERT INTO decisions (seq, id, action, outcome, idempotency_key, recorded_at, record, prev_hash, hash)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`,
        [rs.map((r) => r.seq), rs.map((r) => r.id), rs.map((r) => r.action), rs.map((r) => r.outcome), rs.map((r) => r.idempotencyKey),
          rs.map((r) => r.recordedAt), rs.map((r) => r.text), rs.map((r) => r.prevHash), rs.map((r) => r.hash)]);
      return undefined;
    }
    case 'setHead':
      await client.query('UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1', [op.head.seq, op.head.hash]);
      return undefined;
    case 'insertReviews':
      for (const { sql, args } of insertReviews(POSTGRES, op.reviews)) await client.query(sql, args);
      return undefined;
    case 'review': {
      const { sql, args } = updateReview(POSTGRES, op.change);
      const taken = (await client.query(sql, args)).rowCount === 1;
      const row = (await client.query<ReviewRow>(SELECT_REVIEW(POSTGRES), [op.change.id])).rows[0];
      return { taken, review: row && reviewOf(row) };
    }
    case 'insertDeliveries': {
      const { sql, args } = insertDeliveries(POSTGRES, op.events);
      await client.query(sql, args);
      return undefined;
    }
    case 'deliveryCommand': {
      const { sql, args } = commandChange(POSTGRES, op.command);
      const taken = (await client.query(sql, args)).rowCount === 1;
      const row = (await client.query<DeliveryRow>(SELECT_DELIVERY(POSTGRES), [op.command.deliveryId])).rows[0];
      return { taken, delivery: row && deliveryOf(row) };
    }
  }
}

/** Runs the shared plan against what is known, and gathers the writes it asks for. */
function plan(items: readonly AppendItem[], known: Known): { results: AppendResult[]; writes: Writes } {
  const writes: Writes = { expect: known.head, claims: [], now: '', rows: [], head: known.head };
  const answer = (op: Op): unknown => {
    switch (op.op) {
      case 'head': return known.head;
      case 'claim': {
        // Free unless a decision holds it past now: the condition of arbiter_append's claim.
        const free = (c: Claim) => { const h = known.held.get(keyOf(c.action, c.key)); return h === undefined || h.expiresAt <= op.now; };
        writes.claims = op.claims.filter(free);
        writes.now = op.now;
        return new Set(writes.claims.map((c) => keyOf(c.action, c.key)));
      }
      case 'lookup': return known.held;
      case 'insert': writes.rows = op.rows; return undefined;
      case 'setHead': writes.head = op.head; return undefined;
      // Batches with review or outbox rows are written op by op (`commit`).
      case 'insertReviews': case 'review': case 'insertDeliveries': case 'deliveryCommand': throw new Error(`a batch with review rows reached arbiter_append's plan (${op.op})`);
    }
  };
  const gen = appendBatch(items);
  let step = gen.next();
  while (!step.done) step = gen.next(answer(step.value));
  return { results: step.value, writes };
}

function append(client: pg.PoolClient, w: Writes): Promise<boolean> {
  const { claims: c, rows: r } = w;
  return client.query<{ ok: boolean }>(appendCall(r.length), [
    w.expect.seq, w.expect.hash, w.head.seq, w.head.hash, w.now,
    c.map((x) => x.action), c.map((x) => x.key), c.map((x) => x.decisionId), c.map((x) => x.payloadHash), c.map((x) => x.expiresAt),
    r.map((x) => x.seq), r.map((x) => x.id), r.map((x) => x.action), r.map((x) => x.outcome), r.map((x) => x.idempotencyKey),
    r.map((x) => x.recordedAt), r.map((x) => x.prevHash), r.map((x) => x.hash),
    ...r.map((x) => x.text),
  ]).then((res) => res.rows[0]!.ok);
}

function heldOf(rows: { action: string; key: string; decision_id: string; payload_hash: string; expires_at: string; record: string | null }[]): Map<string, Held> {
  return new Map(rows.map((x) => [keyOf(x.action, x.key), { decisionId: x.decision_id, payloadHash: x.payload_hash, text: x.record, expiresAt: x.expires_at }]));
}

export function rowHead(r: { seq: string | number; hash: string }): Head {
  return { seq: Number(r.seq), hash: r.hash };
}
