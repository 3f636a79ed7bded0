/**
 * The review queue's SQL, shared by both adapters: its rows, the conditional update a review
 * record makes, and the queue's queries. The conditions are the safety rules: a verdict applies
 * only to a pending item, with the proposal hash the reviewer saw, before its expiry; an expiry
 * only to a pending item whose time is up and whose action expires by rejection.
 */
import type { Review, ReviewQuery } from '../../gate/ports.js';
import type { NewReview, ReviewChange } from './chain.js';
import type { Dialect } from './sql.js';

export const REVIEWS_MIGRATION = (d: Dialect): string => `
  CREATE TABLE reviews (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    queue TEXT NOT NULL,
    status TEXT NOT NULL,
    risk_tier TEXT NOT NULL,
    risk_score DOUBLE PRECISION NOT NULL,
    side_effects TEXT NOT NULL,
    rules TEXT NOT NULL,
    messages TEXT NOT NULL,
    entity TEXT,
    submitter TEXT NOT NULL,
    proposal_hash TEXT NOT NULL,
    created_at ${d.time} NOT NULL,
    expires_at ${d.time} NOT NULL,
    on_expiry TEXT NOT NULL,
    edit_of TEXT,
    decided_by TEXT,
    decided_at ${d.time},
    reason TEXT,
    next_id TEXT,
    last_event TEXT
  );
  CREATE INDEX reviews_pending ON reviews (status, expires_at);
  CREATE INDEX reviews_queue ON reviews (queue, status, expires_at);
  CREATE INDEX reviews_entity ON reviews (action, entity);
  CREATE TABLE review_rules (review_id TEXT NOT NULL, rule TEXT NOT NULL, PRIMARY KEY (review_id, rule));`;

const COLUMNS = 'id, action, queue, status, risk_tier, risk_score, side_effects, rules, messages, entity, submitter, proposal_hash, created_at, expires_at, on_expiry, edit_of';

/** `(…), (…)` placeholders for `rows` rows of `width` values. */
function values(d: Dialect, rows: number, width: number): string {
  return Array.from({ length: rows }, (_, r) => `(${Array.from({ length: width }, (_, c) => d.param(r * width + c + 1)).join(', ')})`).join(', ');
}

/** The inserts for new queue entries: the rows, and one row per fired rule for the rule filter. */
export function insertReviews(d: Dialect, reviews: readonly NewReview[]): { sql: string; args: unknown[] }[] {
  const out = [{
    sql: `INSERT INTO reviews (${COLUMNS}) VALUES ${values(d, reviews.length, 16)}`,
    args: reviews.flatMap((r) => [r.id, r.action, r.queue, 'pending', r.riskTier, r.riskScore, r.sideEffects, JSON.stringify(r.rules), JSON.stringify(r.messages), r.entity, r.submitter, r.proposalHash, r.createdAt, r.expiresAt, r.onExpiry, r.editOf]),
  }];
  const rules = reviews.flatMap((r) => [...new Set(r.rules)].map((rule) => [r.id, rule]));
  if (rules.length) out.push({ sql: `INSERT INTO review_rules (review_id, rule) VALUES ${values(d, rules.length, 2)}`, args: rules.flat() });
  return out;
}

/** The UPDATE a review record makes; it changes one row or none. */
export function updateReview(d: Dialect, c: ReviewChange): { sql: string; args: unknown[] } {
  const args: unknown[] = [];
  const p = (v: unknown) => { args.push(v); return d.param(args.length); };
  if (c.verdict === 'expire') {
    return { sql: `UPDATE reviews SET status = 'expired', decided_by = ${p(c.by)}, decided_at = ${p(c.at)}, reason = ${p(JSON.stringify(c.reason))}, last_event = ${p(c.eventId)}
      WHERE id = ${p(c.id)} AND status = 'pending' AND on_expiry = 'reject' AND expires_at <= ${p(c.at)}`, args };
  }
  const set = c.verdict === 'extend'
    ? `expires_at = ${p(c.expiresAt)}, last_event = ${p(c.eventId)}`
    : `status = ${p(STATUS[c.verdict])}, decided_by = ${p(c.by)}, decided_at = ${p(c.at)}, reason = ${p(c.reason && JSON.stringify(c.reason))}, next_id = ${p(c.next)}, last_event = ${p(c.eventId)}`;
  return { sql: `UPDATE reviews SET ${set} WHERE id = ${p(c.id)} AND status = 'pending' AND proposal_hash = ${p(c.proposalHash)} AND (on_expiry = 'review' OR expires_at > ${p(c.at)})`, args };
}

const STATUS = { approve: 'approved', reject: 'rejected', edit: 'edited' } as const;

export const SELECT_REVIEW = (d: Dialect) => `SELECT * FROM reviews WHERE id = ${d.param(1)}`;

export function listReviews(d: Dialect, q: ReviewQuery): { sql: string; args: unknown[] } {
  const args: unknown[] = [];
  const p = (v: unknown) => { args.push(v); return d.param(args.length); };
  const where = [q.status === 'pending' ? "status = 'pending'" : "status <> 'pending'"];
  where.push(q.queues.length ? `queue IN (${q.queues.map(p).join(', ')})` : '1 = 0');
  if (q.action) where.push(`action = ${p(q.action)}`);
  if (q.tier) where.push(`risk_tier = ${p(q.tier)}`);
  if (q.entity) where.push(`entity = ${p(q.entity)}`);
  if (q.createdBefore) where.push(`created_at <= ${p(q.createdBefore)}`);
  if (q.rule) where.push(`EXISTS (SELECT 1 FROM review_rules r WHERE r.review_id = reviews.id AND r.rule = ${p(q.rule)})`);
  const order = q.status === 'pending' ? 'expires_at ASC, risk_score DESC, id ASC' : 'decided_at DESC, id DESC';
  return { sql: `SELECT * FROM reviews WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${p(q.limit + 1)} OFFSET ${p(q.offset ?? 0)}`, args };
}

export const DUE_REVIEWS = (d: Dialect) => `SELECT * FROM reviews WHERE status = 'pending' AND on_expiry = 'reject' AND expires_at <= ${d.param(1)} ORDER BY expires_at LIMIT ${d.param(2)}`;
// created_at is RFC 3339 in UTC with milliseconds, so the least string is the earliest time.
export const QUEUE_DEPTH = "SELECT queue, COUNT(*) AS pending, MIN(created_at) AS oldest FROM reviews WHERE status = 'pending' GROUP BY queue ORDER BY queue";

export interface ReviewRow {
  id: string; action: string; queue: string; status: Review['status']; risk_tier: string; risk_score: number | string; side_effects: string; rules: string; messages: string;
  entity: string | null; submitter: string; proposal_hash: string; created_at: string; expires_at: string; on_expiry: Review['onExpiry']; edit_of: string | null;
  decided_by: string | null; decided_at: string | null; reason: string | null; next_id: string | null; last_event: string | null;
}

export const reviewOf = (r: ReviewRow): Review => ({
  id: r.id, action: r.action, queue: r.queue, status: r.status, riskTier: r.risk_tier, riskScore: Number(r.risk_score), sideEffects: r.side_effects,
  rules: JSON.parse(r.rules) as string[], messages: JSON.parse(r.messages) as string[], entity: r.entity, submitter: r.submitter, proposalHash: r.proposal_hash, createdAt: r.created_at,
  expiresAt: r.expires_at, onExpiry: r.on_expiry, editOf: r.edit_of, decidedBy: r.decided_by, decidedAt: r.decided_at,
  reason: r.reason === null ? null : JSON.parse(r.reason) as Review['reason'], next: r.next_id, lastEvent: r.last_event,
});

/** A page of `listReviews` (which asks for one row more), and the offset of the next page. */
export function reviewPage(rows: ReviewRow[], q: ReviewQuery): { items: Review[]; next: number | null } {
  return { items: rows.slice(0, q.limit).map(reviewOf), next: rows.length > q.limit ? (q.offset ?? 0) + q.limit : null };
}
