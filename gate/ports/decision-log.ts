/**
 * The decision log port: an append-only, hash-chained log of decisions and of the records that
 * follow them (review verdicts, delivery replays and purges). An append commits everything written
 * for one decision in one transaction: its record, its idempotency claim, its review item and its
 * outbox event. The SQLite and PostgreSQL adapters implement it (adapters/stores/) and are held
 * to one conformance suite (test/store.test.ts).
 */
import type { Decision } from '../../engine/index.js';
import type { PolicyShadow } from '../shadow.js';
import type { DeliveryCommand, DeliveryCommandResult, OutboxEvent } from './outbox.js';
import type { ReviewEvent, ReviewEventResult, ReviewItem, ReviewReason, Verdict } from './review-queue.js';

/** What the log keeps for each decision; its JSON text is what the chain hashes. */
export interface DecisionRecord {
  id: string;
  /** position in the chain, from 1 */
  seq: number;
  action: string;
  recordedAt: string;
  /** the API key that asked */
  caller: string;
  idempotencyKey: string | null;
  /** SHA-256 of the request's identity for idempotency: the canonical JSON of the action and proposal (and the context, with `match: request`) */
  payloadHash: string;
  /** `model`: who proposed it, as a model adapter sent it (adapters/models/types.ts) */
  request: { proposal: unknown; context: unknown; model?: unknown };
  decision: Decision;
  /** the review whose proposal this one edits */
  editOf?: string;
  /** what the shadow policy decided, when it differed from this decision (gate/shadow.ts) */
  policyShadow?: PolicyShadow;
}

/** A verdict or an extension in the log: linked to its decision, hashed in the same chain. */
export interface ReviewRecord {
  id: string;
  seq: number;
  kind: 'review';
  action: string;
  recordedAt: string;
  /** the reviewer */
  caller: string;
  idempotencyKey: null;
  decisionId: string;
  review: { verdict: Verdict; outcome: 'approve' | 'reject' | null; proposalHash: string; reason?: ReviewReason; expiresAt?: string; next?: string; batch?: boolean };
}

/** An operator's replay or purge of a dead letter, in the log. */
export interface DeliveryRecord {
  id: string;
  seq: number;
  kind: 'delivery';
  action: string;
  recordedAt: string;
  caller: string;
  idempotencyKey: null;
  decisionId: string;
  delivery: { id: string; op: 'replay' | 'purge' };
}

/**
 * An exception granted or revoked through the admin endpoint (gate/exceptions.ts), in the log:
 * a grant holds the exception as it was posted (the shape of a YAML exception), with `granted_by`
 * the key that granted it; a revoke names the grant it ends.
 */
export interface ExceptionRecord {
  id: string;
  seq: number;
  kind: 'exception';
  action: string;
  recordedAt: string;
  caller: string;
  idempotencyKey: null;
  exception:
    | { op: 'grant'; id: string; relaxes: string[]; when: unknown; expires: string; owner: string; granted_by: string; ticket: string; reason: string }
    | { op: 'revoke'; id: string; grant: string };
}

/** A grant or revoke to append: the record without its position. */
export type ExceptionCommand = Omit<ExceptionRecord, 'seq'>;
export type ExceptionCommandResult = { kind: 'created'; id: string; seq: number };

export type LogRecord = DecisionRecord | ReviewRecord | DeliveryRecord | ExceptionRecord;

/**
 * A decision to append. The request and the decision arrive as JSON text (adapters/stores/record.ts):
 * the gate serializes a decision once, and text crosses to a store worker thread at the cost of a
 * copy. The store computes the payload hash from the request text it records.
 */
export interface AppendItem {
  id: string;
  action: string;
  outcome: string;
  idempotencyKey: string | null;
  /** `global`: the key is claimed for every action, so it answers the same whatever action a request names; default per action */
  idempotencyScope?: 'global' | 'action';
  /** what a request must repeat to replay the decision (the action's `idempotency.match`); default `proposal` */
  idempotencyMatch?: 'proposal' | 'request';
  recordedAt: string;
  caller: string;
  /** the request body as received: JSON with the `proposal` and, if given, the `context` */
  requestJson: string;
  /** the Decision as the log keeps it (decisionTexts) */
  decisionJson: string;
  /** how long the idempotency key holds, from recordedAt */
  ttlMs: number;
  /** for a `review` decision: its queue entry, written in the same transaction */
  review?: ReviewItem;
  /** the review whose proposal this one edits */
  editOf?: string;
  /** for a decision final at once (an approve of an action that delivers): its outbox event, written in the same transaction */
  delivery?: OutboxEvent;
}

/** What a group commit takes: decisions, review records, and replays and purges of deliveries. */
export type LogItem = AppendItem | ReviewEvent | DeliveryCommand | ExceptionCommand;
export type LogResult = AppendResult | ReviewEventResult | DeliveryCommandResult | ExceptionCommandResult;

export type AppendResult =
  | { kind: 'created'; id: string; seq: number }
  /** the same key and payload were seen before: the first decision's record, as stored (readRecord) */
  | { kind: 'replayed'; text: string }
  /** the same key with another payload: nothing was written */
  | { kind: 'conflict'; originalId: string };

export interface ListQuery { action?: string; outcome?: string; since?: string; cursor?: number; limit: number }

export interface VerifyResult {
  ok: boolean;
  /** records that verified (on failure, those before the first problem) */
  count: number;
  /** the first record that does not verify, and why */
  problem?: { seq: number; id: string | null; reason: string };
}

export interface DecisionLog {
  /** Appends durably: the promise resolves after the commit. Concurrent appends share commits. */
  append(item: AppendItem): Promise<AppendResult>;
  get(id: string): Promise<DecisionRecord | undefined>;
  list(q: ListQuery): Promise<{ items: DecisionRecord[]; next: number | null }>;
  /** Walks the whole chain, oldest first. */
  verify(): Promise<VerifyResult>;
  /** Records in chain order, from `since` (an ISO time) on: decisions and the records that follow them. */
  export(since?: string): AsyncIterable<LogRecord>;
  /** Appends an exception's grant or revoke to the chain, durably. */
  appendException(cmd: ExceptionCommand): Promise<ExceptionCommandResult>;
  /** Every exception grant and revoke, in chain order: what the gate loads at start. */
  exceptionRecords(): Promise<ExceptionRecord[]>;
}
