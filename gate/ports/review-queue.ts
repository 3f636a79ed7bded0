/**
 * The review queue port. A review item is written in the transaction that records its decision;
 * a verdict is a record appended to the same chain, and the review row changes only in the
 * verdict's transaction, under a condition (still pending, the hash the reviewer saw, not past its
 * time), so of two reviewers or two replicas' sweepers exactly one wins.
 */
import type { AppendItem } from './decision-log.js';
import type { OutboxEvent } from './outbox.js';

export type ReviewStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'edited';
/** What a review record does: four verdicts that close the item, and an extension that does not. */
export type Verdict = 'approve' | 'reject' | 'expire' | 'edit' | 'extend';

export const CLOSES: Record<Verdict, ReviewStatus | null> = { approve: 'approved', reject: 'rejected', expire: 'expired', edit: 'edited', extend: null };

export interface ReviewReason { code?: string; text: string }

/** What the gate adds to a `review` decision's append: the queue entry. */
export interface ReviewItem {
  queue: string;
  riskTier: string;
  riskScore: number;
  sideEffects: string;
  /** the rules that fired, for filters and the approval rate by rule */
  rules: string[];
  /** the decision's reason messages, so a list of items needs no decision records */
  messages: string[];
  /** the entity the proposal acts on (the registry's `entity` pointer), as text */
  entity: string | null;
  expiresAt: string;
  onExpiry: 'reject' | 'review';
  /** the review this proposal is an edit of */
  editOf: string | null;
}

/** A review as the queue keeps it; `id` is its decision's id. */
export interface Review extends ReviewItem {
  id: string;
  action: string;
  /** the API key that submitted the proposal */
  submitter: string;
  proposalHash: string;
  createdAt: string;
  status: ReviewStatus;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: ReviewReason | null;
  /** for `edited`: the decision of the new proposal */
  next: string | null;
  /** the last review record for it in the chain */
  lastEvent: string | null;
}

/** A verdict or an extension to append; the review row changes only if its condition holds. */
export interface ReviewEvent {
  kind: 'review';
  id: string;
  decisionId: string;
  action: string;
  recordedAt: string;
  /** the reviewer's key id; `arbiter` for the sweeper */
  caller: string;
  verdict: Verdict;
  /** the hash of the proposal the reviewer saw (for `expire`, the stored one) */
  proposalHash: string;
  reason?: ReviewReason;
  /** for `extend`: the new expiry */
  expiresAt?: string;
  /** decided as one of a batch */
  batch?: boolean;
  /** for `edit`: the new proposal's decision, recorded in the same transaction */
  next?: AppendItem;
  /** for a verdict that makes the decision final, of an action that delivers: its outbox event, written only if the verdict applies */
  delivery?: OutboxEvent;
}

export type ReviewEventResult =
  | { kind: 'created'; id: string; seq: number; review: Review }
  /** nothing was written: the review is missing, closed, holds another hash or is past its time */
  | { kind: 'refused'; review: Review | undefined };

export interface ReviewQuery {
  /** the queues the caller may see; an empty list sees nothing */
  queues: string[];
  status: 'pending' | 'closed';
  action?: string;
  tier?: string;
  rule?: string;
  entity?: string;
  /** only items created at or before this time (an age filter) */
  createdBefore?: string;
  limit: number;
  offset?: number;
}

export interface QueueDepth { queue: string; pending: number; oldestAt: string }

export interface ReviewQueue {
  /** Appends a review record: durable when the promise resolves, or refused with the row as it is. */
  appendReview(event: ReviewEvent): Promise<ReviewEventResult>;
  review(id: string): Promise<Review | undefined>;
  /** pending sorted by expiry then risk (highest first); closed by decision time, newest first */
  reviews(q: ReviewQuery): Promise<{ items: Review[]; next: number | null }>;
  /** pending items that expire by rejection and whose time is up at `now` */
  dueReviews(now: string, limit: number): Promise<Review[]>;
  /** pending items per queue, and when the oldest of them was created */
  queueDepth(): Promise<QueueDepth[]>;
}
