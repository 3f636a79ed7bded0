/**
 * The decision log's hash chain, and the plan of one group commit, shared by the adapters.
 *
 * Each record's hash is SHA-256 over the previous record's hash, a line break, and the record's
 * JSON text; the first record follows 64 zeros. The text stored is the text hashed, so a record
 * that is edited, deleted or moved no longer verifies. A separate head row holds the last seq and
 * hash, so a deleted tail shows too.
 *
 * `appendBatch` is a generator that yields the store operations it needs and receives their
 * results, so the logic is written once: the SQLite adapter runs each operation inside one
 * transaction; the PostgreSQL adapter answers the reads from what it knows of the head and keys,
 * and sends the writes in one statement that first checks that knowledge (postgres-commit.ts).
 */
import { createHash } from 'node:crypto';
import type { DeliveryCommand, OutboxEvent, Review, ReviewReason, Verdict } from '../../gate/ports.js';
import { payloadHash } from './record.js';
import type { AppendItem, AppendResult, DecisionRecord, LogRecord, VerifyResult } from './store.js';

export const GENESIS = '0'.repeat(64);

export function chainHash(prev: string, text: string): string {
  return createHash('sha256').update(prev).update('\n').update(text).digest('hex');
}

export interface Head { seq: number; hash: string }
/** `action` is the action the key is claimed under, or GLOBAL for a key claimed for every action. */
export interface Claim { action: string; key: string; decisionId: string; payloadHash: string; expiresAt: string }
/** A live key's owner; `text` is null when its decision is gone (a tampered log). */
export interface Existing { decisionId: string; payloadHash: string; text: string | null }
export interface Row { seq: number; id: string; action: string; outcome: string; idempotencyKey: string | null; recordedAt: string; text: string; prevHash: string; hash: string }

/** A decisions row as the drivers return it (PostgreSQL's BIGINT seq arrives as a string). */
export interface StoredRow { seq: number | string; id: string; action: string; outcome: string; idempotency_key: string | null; recorded_at: string; record: string; prev_hash: string; hash: string }

export const rowOf = (r: StoredRow): Row => ({
  seq: Number(r.seq), id: r.id, action: r.action, outcome: r.outcome, idempotencyKey: r.idempotency_key, recordedAt: r.recorded_at, text: r.record, prevHash: r.prev_hash, hash: r.hash,
});

/** The operations a store performs for a batch, inside one transaction. */
export type Op =
  | { op: 'head' }
  /** insert each claim, or take over an expired one; answer the claims that took */
  | { op: 'claim'; claims: Claim[]; now: string }
  | { op: 'lookup'; keys: { action: string; key: string }[] }
  | { op: 'insert'; rows: Row[] }
  /** queue entries of `review` decisions inserted in this batch */
  | { op: 'insertReviews'; reviews: NewReview[] }
  /** change one review row if `change` still applies; answer whether it did, and the row as it is */
  | { op: 'review'; change: ReviewChange }
  /** outbox events of decisions or verdicts written in this batch */
  | { op: 'insertDeliveries'; events: OutboxEvent[] }
  /** apply a replay or purge to a dead delivery if it still is one; answer whether it did, and the row as it is */
  | { op: 'deliveryCommand'; command: DeliveryCommand }
  | { op: 'setHead'; head: Head };

/** A review row to insert: its decision's identity and the queue entry. */
export type NewReview = Omit<Review, 'status' | 'decidedBy' | 'decidedAt' | 'reason' | 'next' | 'lastEvent'>;

/** The conditional update a review record makes (see review-sql.ts for the conditions). */
export interface ReviewChange { id: string; verdict: Verdict; proposalHash: string; by: string; at: string; eventId: string; reason: ReviewReason | null; next: string | null; expiresAt: string | null }

export const keyOf = (action: string, key: string) => `${action}\u0000${key}`;

/**
 * The claim's action for a key claimed across actions. Action names are lowercase letters, digits
 * and underscores, so no action is called `*`; the idempotency table keeps its (action, key)
 * primary key, and needs no migration.
 */
export const GLOBAL = '*';

/** The action a key is claimed under. */
export const claimAction = (it: AppendItem) => (it.idempotencyScope === 'global' ? GLOBAL : it.action);

export function* appendBatch(items: readonly AppendItem[]): Generator<Op, AppendResult[], unknown> {
  const hashes = items.map((it) => payloadHash(it.action, it.requestJson, it.idempotencyMatch));
  const head = (yield { op: 'head' }) as Head;
  const now = items.reduce((m, i) => (i.recordedAt > m ? i.recordedAt : m), '');
  // Within a batch the first item with a key claims it; later ones are judged against it.
  const first = new Map<string, number>();
  items.forEach((it, i) => { if (it.idempotencyKey !== null && !first.has(keyOf(claimAction(it), it.idempotencyKey))) first.set(keyOf(claimAction(it), it.idempotencyKey), i); });
  const claims = [...first.values()].map((i) => {
    const it = items[i]!;
    return { action: claimAction(it), key: it.idempotencyKey!, decisionId: it.id, payloadHash: hashes[i]!, expiresAt: new Date(Date.parse(it.recordedAt) + it.ttlMs).toISOString() };
  });
  const claimed = claims.length ? (yield { op: 'claim', claims, now }) as Set<string> : new Set<string>();
  const unclaimed = claims.filter((c) => !claimed.has(keyOf(c.action, c.key)));
  const existing = unclaimed.length ? (yield { op: 'lookup', keys: unclaimed.map(({ action, key }) => ({ action, key })) }) as Map<string, Existing> : new Map<string, Existing>();

  const results: AppendResult[] = new Array(items.length);
  const rows: Row[] = [];
  let seq = head.seq, prev = head.hash;
  const created = new Map<number, string>();
  items.forEach((it, i) => {
    const k = it.idempotencyKey === null ? undefined : keyOf(claimAction(it), it.idempotencyKey);
    const firstIndex = k === undefined ? i : first.get(k)!;
    if (k !== undefined && !claimed.has(k)) {
      const e = existing.get(k)!;
      results[i] = e.payloadHash === hashes[i] && e.text !== null ? { kind: 'replayed', text: e.text } : { kind: 'conflict', originalId: e.decisionId };
      return;
    }
    if (firstIndex !== i) {
      results[i] = hashes[firstIndex] === hashes[i] ? { kind: 'replayed', text: created.get(firstIndex)! } : { kind: 'conflict', originalId: items[firstIndex]!.id };
      return;
    }
    seq++;
    const text = recordText(it, seq, hashes[i]!);
    const hash = chainHash(prev, text);
    rows.push({ seq, id: it.id, action: it.action, outcome: it.outcome, idempotencyKey: it.idempotencyKey, recordedAt: it.recordedAt, text, prevHash: prev, hash });
    prev = hash;
    created.set(i, text);
    results[i] = { kind: 'created', id: it.id, seq };
  });
  if (rows.length) {
    yield { op: 'insert', rows };
    const reviews = items.flatMap((it, i) => (it.review && results[i]!.kind === 'created' ? [newReview(it, hashes[i]!)] : []));
    if (reviews.length) yield { op: 'insertReviews', reviews };
    const events = items.flatMap((it, i) => (it.delivery && results[i]!.kind === 'created' ? [it.delivery] : []));
    if (events.length) yield { op: 'insertDeliveries', events };
    yield { op: 'setHead', head: { seq, hash: prev } };
  }
  return results;
}

export const newReview = (it: AppendItem, proposalHash: string): NewReview => ({ id: it.id, action: it.action, submitter: it.caller, proposalHash, createdAt: it.recordedAt, ...it.review! });

/** A record's JSON text, assembled around the request and decision text it was given (adapters/stores/record.ts reads it). */
export function recordText(it: AppendItem, seq: number, payloadHash: string): string {
  const q = JSON.stringify;
  return `{"id":${q(it.id)},"seq":${seq},"action":${q(it.action)},"recordedAt":${q(it.recordedAt)},"caller":${q(it.caller)},"idempotencyKey":${q(it.idempotencyKey)},"payloadHash":${q(payloadHash)},"request":${it.requestJson},"decision":${it.decisionJson}${it.editOf ? `,"editOf":${q(it.editOf)}` : ''}}`;
}

/** Checks records in chain order; feed pages to `step`, then ask `end` with the stored head. */
export class ChainVerifier {
  private prev = GENESIS;
  private seq = 0;
  count = 0;
  problem: VerifyResult['problem'];

  step(r: Row): boolean {
    if (this.problem) return false;
    const fail = (reason: string) => { this.problem = { seq: r.seq, id: r.id, reason }; return false; };
    if (r.seq !== this.seq + 1) {
      return fail(r.seq > this.seq + 1
        ? `record${r.seq - this.seq > 2 ? 's' : ''} ${this.seq + 1}${r.seq - this.seq > 2 ? `–${r.seq - 1}` : ''} ${r.seq - this.seq > 2 ? 'are' : 'is'} missing before seq ${r.seq}: deleted`
        : `seq ${r.seq} is out of order after seq ${this.seq}`);
    }
    if (r.prevHash !== this.prev) return fail(`seq ${r.seq} does not follow seq ${this.seq}: its previous hash does not match (reordered, or a record before it was replaced)`);
    if (chainHash(this.prev, r.text) !== r.hash) return fail(`seq ${r.seq} was edited: its content does not match its hash`);
    let parsed: LogRecord;
    try { parsed = JSON.parse(r.text) as LogRecord; } catch { return fail(`seq ${r.seq} holds text that is not JSON`); }
    // The columns that lists filter on are copies of the record: an edit to one shows here.
    const columns: [string, unknown, unknown][] = [
      ['seq', r.seq, parsed.seq], ['id', r.id, parsed.id], ['action', r.action, parsed.action], ['outcome', r.outcome, outcomeColumn(parsed)],
      ['idempotency_key', r.idempotencyKey, parsed.idempotencyKey], ['recorded_at', r.recordedAt, parsed.recordedAt],
    ];
    const edited = columns.filter(([, column, record]) => column !== record).map(([name]) => name);
    if (edited.length) return fail(`seq ${r.seq} was edited: its ${edited.join(', ')} column${edited.length > 1 ? 's do' : ' does'} not match its record`);
    this.prev = r.hash;
    this.seq = r.seq;
    this.count++;
    return true;
  }

  end(head: Head | undefined): VerifyResult {
    if (!this.problem && head && (head.seq !== this.seq || head.hash !== this.prev)) {
      this.problem = head.seq > this.seq
        ? { seq: this.seq + 1, id: null, reason: `the chain ends at seq ${this.seq}, but its head records seq ${head.seq}: the last ${head.seq - this.seq} record${head.seq - this.seq === 1 ? ' was' : 's were'} deleted` }
        : { seq: head.seq, id: null, reason: `the chain head does not match the last record (seq ${this.seq})` };
    }
    return { ok: !this.problem, count: this.count, ...(this.problem ? { problem: this.problem } : {}) };
  }
}

/** The `outcome` column: a decision's outcome, or what a review record did (`approved`, `extended`, …). */
export function outcomeColumn(r: LogRecord): string | undefined {
  if ('kind' in r && r.kind === 'review') return r.review ? EVENT_OUTCOME[r.review.verdict] : undefined;
  if ('kind' in r && r.kind === 'delivery') return r.delivery ? COMMAND_OUTCOME[r.delivery.op] : undefined;
  if ('kind' in r && r.kind === 'exception') return r.exception ? EXCEPTION_OUTCOME[r.exception.op] : undefined;
  return (r as DecisionRecord).decision?.outcome;
}

/** The `outcome` column of a delivery's replay or purge record. */
export const COMMAND_OUTCOME = { replay: 'delivery_replayed', purge: 'delivery_purged' } as const;

/** The `outcome` column of an exception's grant or revoke record. */
export const EXCEPTION_OUTCOME = { grant: 'exception_granted', revoke: 'exception_revoked' } as const;

export const EVENT_OUTCOME: Record<Verdict, string> = { approve: 'approved', reject: 'rejected', expire: 'expired', edit: 'edited', extend: 'extended' };
