/**
 * The delivery outbox's SQL, shared by both adapters: its tables, the lease a worker takes, the
 * attempt it records under that lease, and the conditional change a replay or purge makes. The
 * conditions are the guarantees: a lease is taken only on a pending event whose lease is free or
 * expired (on PostgreSQL, rows another replica is taking are skipped), and an attempt is recorded
 * only while its lease still holds the event.
 */
import type { Delivery, DeliveryAttempt, DeliveryCommand, DeliveryQuery, OutboxEvent } from '../../gate/ports/outbox.js';
import type { Dialect } from './sql.js';

export const DELIVERIES_MIGRATION = (d: Dialect): string => `
  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    decision_id TEXT NOT NULL,
    action TEXT NOT NULL,
    created_at ${d.time} NOT NULL,
    body TEXT NOT NULL,
    target TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    total_attempts INTEGER NOT NULL,
    next_at ${d.time} NOT NULL,
    lease TEXT,
    lease_until ${d.time},
    last_error TEXT,
    delivered_at ${d.time},
    updated_at ${d.time} NOT NULL
  );
  CREATE INDEX deliveries_due ON deliveries (status, next_at);
  CREATE INDEX deliveries_decision ON deliveries (decision_id);
  CREATE TABLE delivery_attempts (
    delivery_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    started_at ${d.time} NOT NULL,
    status INTEGER,
    latency_ms DOUBLE PRECISION NOT NULL,
    error TEXT,
    result TEXT NOT NULL,
    PRIMARY KEY (delivery_id, n)
  );`;

function values(d: Dialect, rows: number, width: number, from = 0): string {
  return Array.from({ length: rows }, (_, r) => `(${Array.from({ length: width }, (_, c) => d.param(from + r * width + c + 1)).join(', ')})`).join(', ');
}

export function insertDeliveries(d: Dialect, events: readonly OutboxEvent[]): { sql: string; args: unknown[] } {
  return {
    sql: `INSERT INTO deliveries (id, decision_id, action, created_at, body, target, status, attempts, total_attempts, next_at, updated_at) VALUES ${values(d, events.length, 11)}`,
    args: events.flatMap((e) => [e.id, e.decisionId, e.action, e.createdAt, e.body, JSON.stringify(e.target), 'pending', 0, 0, e.createdAt, e.createdAt]),
  };
}

/** Positional parameters, pushed in order: SQLite's `?` cannot be named twice. */
function params(d: Dialect) {
  const args: unknown[] = [];
  return { args, p: (v: unknown) => { args.push(v); return d.param(args.length); } };
}

/** Takes the lease on due events; PostgreSQL skips rows another session is taking. */
export function claimDeliveries(d: Dialect, now: string, lease: string, leaseUntil: string, limit: number): { sql: string; args: unknown[] } {
  const { args, p } = params(d);
  const set = `lease = ${p(lease)}, lease_until = ${p(leaseUntil)}`;
  const free = () => `status = 'pending' AND next_at <= ${p(now)} AND (lease_until IS NULL OR lease_until <= ${p(now)})`;
  const skip = d.kind === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  const inner = `SELECT id FROM deliveries WHERE ${free()} ORDER BY next_at, id LIMIT ${p(limit)}${skip}`;
  return { sql: `UPDATE deliveries SET ${set} WHERE id IN (${inner}) AND ${free()} RETURNING *`, args };
}

export function completeAttempt(d: Dialect, deliveryId: string, lease: string, status: string, nextAt: string | null, error: string | null, at: string, delivered: boolean): { sql: string; args: unknown[] } {
  const { args, p } = params(d);
  return {
    sql: `UPDATE deliveries SET status = ${p(status)}, attempts = attempts + 1, total_attempts = total_attempts + 1, next_at = COALESCE(${p(nextAt)}, next_at), lease = NULL, lease_until = NULL,
      last_error = ${p(error)}, delivered_at = ${delivered ? p(at) : 'delivered_at'}, updated_at = ${p(at)} WHERE id = ${p(deliveryId)} AND lease = ${p(lease)} AND status = 'pending'`,
    args,
  };
}

export const insertAttempt = (d: Dialect, deliveryId: string, a: DeliveryAttempt) => ({
  sql: `INSERT INTO delivery_attempts (delivery_id, n, started_at, status, latency_ms, error, result) VALUES ${values(d, 1, 7)}`,
  args: [deliveryId, a.n, a.startedAt, a.status, a.latencyMs, a.error, a.result],
});

/** The change a replay or purge makes: only to a dead event. A replay starts a new round of attempts. */
export function commandChange(d: Dialect, c: DeliveryCommand): { sql: string; args: unknown[] } {
  const { args, p } = params(d);
  const set = c.op === 'replay' ? `status = 'pending', attempts = 0, next_at = ${p(c.recordedAt)}, last_error = NULL, lease = NULL, lease_until = NULL` : `status = 'purged', lease = NULL, lease_until = NULL`;
  return { sql: `UPDATE deliveries SET ${set}, updated_at = ${p(c.recordedAt)} WHERE id = ${p(c.deliveryId)} AND status = 'dead'`, args };
}

export const SELECT_DELIVERY = (d: Dialect) => `SELECT * FROM deliveries WHERE id = ${d.param(1)}`;
export const SELECT_ATTEMPTS = (d: Dialect) => `SELECT * FROM delivery_attempts WHERE delivery_id = ${d.param(1)} ORDER BY n`;
export const DELIVERY_COUNTS = 'SELECT status, COUNT(*) AS count FROM deliveries GROUP BY status ORDER BY status';

export function listDeliveries(d: Dialect, q: DeliveryQuery): { sql: string; args: unknown[] } {
  const { args, p } = params(d);
  const where = ['1 = 1'];
  if (q.status) where.push(`status = ${p(q.status)}`);
  if (q.action) where.push(`action = ${p(q.action)}`);
  return { sql: `SELECT * FROM deliveries WHERE ${where.join(' AND ')} ORDER BY updated_at DESC, id DESC LIMIT ${p(q.limit + 1)} OFFSET ${p(q.offset ?? 0)}`, args };
}

export interface DeliveryRow {
  id: string; decision_id: string; action: string; created_at: string; body: string; target: string; status: Delivery['status']; attempts: number | string; total_attempts: number | string;
  next_at: string; lease: string | null; lease_until: string | null; last_error: string | null; delivered_at: string | null; updated_at: string;
}
export interface AttemptRow { n: number | string; started_at: string; status: number | string | null; latency_ms: number | string; error: string | null; result: DeliveryAttempt['result'] }

export const deliveryOf = (r: DeliveryRow): Delivery => ({
  id: r.id, decisionId: r.decision_id, action: r.action, createdAt: r.created_at, body: r.body, target: JSON.parse(r.target) as Delivery['target'], status: r.status,
  attempts: Number(r.attempts), totalAttempts: Number(r.total_attempts), nextAt: r.next_at, lease: r.lease, leaseUntil: r.lease_until, lastError: r.last_error,
  deliveredAt: r.delivered_at, updatedAt: r.updated_at,
});

export const attemptOf = (r: AttemptRow): DeliveryAttempt => ({
  n: Number(r.n), startedAt: r.started_at, status: r.status === null ? null : Number(r.status), latencyMs: Number(r.latency_ms), error: r.error, result: r.result,
});

export function deliveryPage(rows: DeliveryRow[], q: DeliveryQuery): { items: Delivery[]; next: number | null } {
  return { items: rows.slice(0, q.limit).map(deliveryOf), next: rows.length > q.limit ? (q.offset ?? 0) + q.limit : null };
}
