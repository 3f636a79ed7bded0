/**
 * Review records in the hash chain. A verdict (approve, reject, expire, edit) or an extension is
 * appended in the transaction that changes its review row, and only if the change still applies
 * there: a reviewer who lost the race, saw another proposal, or came after the expiry writes
 * nothing. An edit's new proposal is recorded in the same transaction as the edit that closes
 * the original, so neither exists without the other.
 *
 * `logBatch` is what the group commit runs: the decisions of a batch through `appendBatch`, then
 * its review records, one plan for both adapters.
 */
import { CLOSES, type Delivery, type DeliveryCommand, type DeliveryCommandResult, type OutboxEvent, type ReviewEvent, type ReviewEventResult, type Review } from '../../gate/ports.js';
import { appendBatch, chainHash, COMMAND_OUTCOME, EVENT_OUTCOME, EXCEPTION_OUTCOME, newReview, recordText, type Head, type NewReview, type Op, type Row } from './chain.js';
import { payloadHash } from './record.js';
import type { AppendItem, DeliveryRecord, ExceptionCommand, ExceptionCommandResult, ExceptionRecord, LogItem, LogResult, ReviewRecord } from './store.js';

export const isReviewEvent = (it: LogItem): it is ReviewEvent => (it as ReviewEvent).kind === 'review';

export const isDeliveryCommand = (it: LogItem): it is DeliveryCommand => (it as DeliveryCommand).kind === 'delivery';
export const isExceptionCommand = (it: LogItem): it is ExceptionCommand => (it as ExceptionCommand).kind === 'exception';
const isDecision = (it: LogItem): it is AppendItem => !isReviewEvent(it) && !isDeliveryCommand(it) && !isExceptionCommand(it);

export function* logBatch(items: readonly LogItem[]): Generator<Op, LogResult[], unknown> {
  const decisions = items.filter(isDecision);
  const events = items.filter(isReviewEvent);
  const commands = items.filter(isDeliveryCommand);
  const decided = decisions.length ? yield* appendBatch(decisions) : [];
  const reviewed = events.length ? yield* reviewBatch(events) : [];
  const commanded = commands.length ? yield* commandBatch(commands) : [];
  const exceptions = items.filter(isExceptionCommand);
  const excepted = exceptions.length ? yield* exceptionBatch(exceptions) : [];
  let d = 0, e = 0, c = 0, x = 0;
  return items.map((it) => (isReviewEvent(it) ? reviewed[e++]! : isDeliveryCommand(it) ? commanded[c++]! : isExceptionCommand(it) ? excepted[x++]! : decided[d++]!));
}

/** The records a batch adds after the chain's head: each gets the next seq and is hashed over the one before. */
function links(head: Head) {
  let seq = head.seq, prev = head.hash;
  const rows: Row[] = [];
  return {
    rows,
    /** Adds a record whose text is made for its seq; returns the seq. */
    push(row: Omit<Row, 'seq' | 'text' | 'prevHash' | 'hash'>, text: (seq: number) => string): number {
      seq++;
      const t = text(seq);
      const hash = chainHash(prev, t);
      rows.push({ ...row, seq, text: t, prevHash: prev, hash });
      prev = hash;
      return seq;
    },
    head: (): Head => ({ seq, hash: prev }),
  };
}

/** Grants and revokes of exceptions: records of the chain and nothing else (the gate checked them before). */
export function* exceptionBatch(commands: readonly ExceptionCommand[]): Generator<Op, ExceptionCommandResult[], unknown> {
  const chain = links((yield { op: 'head' }) as Head);
  const results: ExceptionCommandResult[] = [];
  for (const cmd of commands) {
    const text = (seq: number) => JSON.stringify({ ...cmd, seq } satisfies ExceptionRecord);
    const seq = chain.push({ id: cmd.id, action: cmd.action, outcome: EXCEPTION_OUTCOME[cmd.exception.op], idempotencyKey: null, recordedAt: cmd.recordedAt }, text);
    results.push({ kind: 'created', id: cmd.id, seq });
  }
  yield { op: 'insert', rows: chain.rows };
  yield { op: 'setHead', head: chain.head() };
  return results;
}

/** Replays and purges: each a record of the chain, written only if its change applied. */
export function* commandBatch(commands: readonly DeliveryCommand[]): Generator<Op, DeliveryCommandResult[], unknown> {
  const chain = links((yield { op: 'head' }) as Head);
  const results: DeliveryCommandResult[] = [];
  for (const cmd of commands) {
    const r = (yield { op: 'deliveryCommand', command: cmd }) as { taken: boolean; delivery: Delivery | undefined };
    if (!r.taken) {
      results.push({ kind: 'refused', delivery: r.delivery });
      continue;
    }
    const action = r.delivery!.action;
    const text = (seq: number) => JSON.stringify({
      id: cmd.id, seq, kind: 'delivery', action, recordedAt: cmd.recordedAt, caller: cmd.caller, idempotencyKey: null, decisionId: r.delivery!.decisionId,
      delivery: { id: cmd.deliveryId, op: cmd.op },
    } satisfies DeliveryRecord);
    const seq = chain.push({ id: cmd.id, action, outcome: COMMAND_OUTCOME[cmd.op], idempotencyKey: null, recordedAt: cmd.recordedAt }, text);
    results.push({ kind: 'created', id: cmd.id, seq, delivery: r.delivery! });
  }
  if (chain.rows.length) {
    yield { op: 'insert', rows: chain.rows };
    yield { op: 'setHead', head: chain.head() };
  }
  return results;
}

export function* reviewBatch(events: readonly ReviewEvent[]): Generator<Op, ReviewEventResult[], unknown> {
  const chain = links((yield { op: 'head' }) as Head);
  const reviews: NewReview[] = [];
  const deliveries: OutboxEvent[] = [];
  const results: ReviewEventResult[] = [];
  for (const ev of events) {
    const change = {
      id: ev.decisionId, verdict: ev.verdict, proposalHash: ev.proposalHash, by: ev.caller, at: ev.recordedAt, eventId: ev.id,
      reason: ev.reason ?? null, next: ev.next?.id ?? null, expiresAt: ev.expiresAt ?? null,
    };
    const r = (yield { op: 'review', change }) as { taken: boolean; review: Review | undefined };
    if (!r.taken) {
      results.push({ kind: 'refused', review: r.review });
      continue;
    }
    const seq = chain.push({ id: ev.id, action: ev.action, outcome: EVENT_OUTCOME[ev.verdict], idempotencyKey: null, recordedAt: ev.recordedAt }, (n) => reviewText(ev, n, r.review!));
    results.push({ kind: 'created', id: ev.id, seq, review: r.review! });
    if (ev.delivery) deliveries.push(ev.delivery);
    const next = ev.next;
    if (next) {
      if (next.delivery) deliveries.push(next.delivery);
      const hash = payloadHash(next.action, next.requestJson, next.idempotencyMatch);
      chain.push({ id: next.id, action: next.action, outcome: next.outcome, idempotencyKey: next.idempotencyKey, recordedAt: next.recordedAt }, (n) => recordText(next, n, hash));
      if (next.review) reviews.push(newReview(next, hash));
    }
  }
  if (chain.rows.length) {
    yield { op: 'insert', rows: chain.rows };
    if (reviews.length) yield { op: 'insertReviews', reviews };
    if (deliveries.length) yield { op: 'insertDeliveries', events: deliveries };
    yield { op: 'setHead', head: chain.head() };
  }
  return results;
}

/** The outcome a review record leaves its decision with: an expiry rejects (only `reject` expiries are swept). */
const FINAL = { approve: 'approve', reject: 'reject', expire: 'reject', edit: null, extend: null } as const;

export function reviewText(ev: ReviewEvent, seq: number, review: Review): string {
  const record: ReviewRecord = {
    id: ev.id, seq, kind: 'review', action: ev.action, recordedAt: ev.recordedAt, caller: ev.caller, idempotencyKey: null, decisionId: ev.decisionId,
    review: {
      verdict: ev.verdict, outcome: FINAL[ev.verdict], proposalHash: ev.proposalHash,
      ...(ev.reason ? { reason: ev.reason } : {}), ...(CLOSES[ev.verdict] === null ? { expiresAt: review.expiresAt } : {}),
      ...(ev.next ? { next: ev.next.id } : {}), ...(ev.batch ? { batch: true } : {}),
    },
  };
  return JSON.stringify(record);
}
