/**
 * The delivery outbox port. An event is written in the transaction that makes its decision final
 * (an approve at once, or a verdict or expiry in review), so there is no delivery without a
 * decision and no final decision without its delivery. A worker takes events under a lease that
 * expires: while it holds one no other replica sends that event, and an event whose worker died
 * is taken again once its lease is up. An attempt's result is recorded only by the lease that
 * made it. Replays and purges of dead letters are records of the hash-chained log.
 */

/** Where an event goes and how hard to try, copied from the registry when the event is written. */
export interface DeliveryTarget {
  url?: string;
  /** the environment variable holding the URL, read when the event is sent */
  urlEnv?: string;
  /** the environment variable holding the signing secret */
  secretEnv: string;
  timeoutMs: number;
  maxAttempts: number;
  fallback?: { url?: string; urlEnv?: string };
}

/** An event to write beside its decision or verdict. */
export interface OutboxEvent {
  id: string;
  /** what the receiver deduplicates on (the `Idempotency-Key` header) */
  decisionId: string;
  action: string;
  createdAt: string;
  /** the JSON body, fixed when written: a replay sends the same bytes */
  body: string;
  target: DeliveryTarget;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'purged';

export interface Delivery extends OutboxEvent {
  status: DeliveryStatus;
  /** attempts since the event was written or last replayed */
  attempts: number;
  /** attempts ever made */
  totalAttempts: number;
  nextAt: string;
  lease: string | null;
  leaseUntil: string | null;
  lastError: string | null;
  deliveredAt: string | null;
  updatedAt: string;
}

export interface DeliveryAttempt {
  /** from 1, over every round */
  n: number;
  startedAt: string;
  /** the receiver's HTTP status; null when none came (a timeout, a refused connection) */
  status: number | null;
  latencyMs: number;
  error: string | null;
  result: 'delivered' | 'retry' | 'dead';
}

/** The outcome of one attempt, recorded only if `lease` still holds the event. */
export interface AttemptOutcome {
  deliveryId: string;
  lease: string;
  attempt: DeliveryAttempt;
  next: { status: 'pending'; at: string } | { status: 'delivered' | 'dead' };
  at: string;
}

/** An operator's replay or purge of a dead letter: a record of the log, applied only to a dead event. */
export interface DeliveryCommand {
  kind: 'delivery';
  id: string;
  deliveryId: string;
  op: 'replay' | 'purge';
  /** the operator's key id */
  caller: string;
  recordedAt: string;
}

export type DeliveryCommandResult =
  | { kind: 'created'; id: string; seq: number; delivery: Delivery }
  /** nothing was written: the event is missing or not dead */
  | { kind: 'refused'; delivery: Delivery | undefined };

export interface DeliveryQuery { status?: DeliveryStatus; action?: string; limit: number; offset?: number }

export interface Outbox {
  /** Leases up to `limit` pending events due at `now` to `lease` until `leaseUntil`; no two live leases hold one event. */
  claimDeliveries(now: string, lease: string, leaseUntil: string, limit: number): Promise<Delivery[]>;
  /** Records an attempt and moves the event on; false (and nothing written) when `lease` no longer holds it. */
  completeAttempt(o: AttemptOutcome): Promise<boolean>;
  /** newest first */
  deliveries(q: DeliveryQuery): Promise<{ items: Delivery[]; next: number | null }>;
  delivery(id: string): Promise<{ delivery: Delivery; attempts: DeliveryAttempt[] } | undefined>;
  /** Appends a replay or purge to the log with its change, in one transaction, or refuses it. */
  appendDelivery(cmd: DeliveryCommand): Promise<DeliveryCommandResult>;
  /** events per status, for the gauges */
  deliveryCounts(): Promise<{ status: DeliveryStatus; count: number }[]>;
}
