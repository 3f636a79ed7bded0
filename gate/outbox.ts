/**
 * The delivery use cases, without HTTP: the outbox event a final decision writes, and an
 * operator's replay or purge of a dead letter. The event's body is fixed when it is written, so a
 * retry or a replay sends the same bytes with the same `Idempotency-Key` (the decision id); only
 * the signature's timestamp changes.
 */
import { randomUUID } from 'node:crypto';
import type { CompiledAction } from '../engine/index.js';
import type { Delivery, DeliveryCommand, Outbox, OutboxEvent, ReviewReason } from './ports.js';

/** What the receiver acts on. `edited`: the original is closed; the edited proposal (`next`) has its own decision, and its own event when final. */
export type FinalOutcome = 'approve' | 'reject' | 'edited';

export interface FinalDecision {
  decisionId: string;
  outcome: FinalOutcome;
  /** when it became final */
  at: string;
  proposal: unknown;
  /** the reviewer's key id (`arbiter` for an expiry); null for a decision final at once */
  by: string | null;
  reason: ReviewReason | null;
  next?: string;
}

/** The event body, version 1: what docs/delivery.md documents. */
export interface DeliveryBody {
  type: 'decision.final';
  version: 1;
  delivery: string;
  decision: string;
  action: string;
  outcome: FinalOutcome;
  decidedBy: string | null;
  reason: ReviewReason | null;
  decidedAt: string;
  next?: string;
  proposal: unknown;
}

/**
 * The outbox event for a decision that just became final, if its action delivers. An immediate
 * reject is not delivered: there is nothing for the executing service to do.
 */
export function outboxEventFor(action: CompiledAction, f: FinalDecision): OutboxEvent | undefined {
  const d = action.deliver;
  if (!d) return undefined;
  if (f.by === null && f.outcome !== 'approve') return undefined;
  const id = randomUUID();
  const body: DeliveryBody = {
    type: 'decision.final', version: 1, delivery: id, decision: f.decisionId, action: action.name, outcome: f.outcome, decidedBy: f.by, reason: f.reason, decidedAt: f.at,
    ...(f.next ? { next: f.next } : {}), proposal: f.proposal,
  };
  return {
    id, decisionId: f.decisionId, action: action.name, createdAt: f.at, body: JSON.stringify(body),
    target: { secretEnv: d.secretEnv, timeoutMs: d.timeoutMs, maxAttempts: d.maxAttempts, ...(d.url ? { url: d.url } : {}), ...(d.urlEnv ? { urlEnv: d.urlEnv } : {}), ...(d.fallback ? { fallback: d.fallback } : {}) },
  };
}

export class DeliveryError extends Error {
  constructor(readonly code: 'not_found' | 'not_dead', message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/**
 * Sends a dead letter again (a new round of attempts, the same body and idempotency key), or
 * purges it; either is a record of the hash-chained log, written with its change or not at all.
 */
export async function commandDelivery(ports: { outbox: Pick<Outbox, 'appendDelivery'>; clock: () => Date }, op: DeliveryCommand['op'], id: string, caller: string): Promise<Delivery> {
  const r = await ports.outbox.appendDelivery({ kind: 'delivery', id: randomUUID(), deliveryId: id, op, caller, recordedAt: ports.clock().toISOString() });
  if (r.kind === 'created') return r.delivery;
  if (!r.delivery) throw new DeliveryError('not_found', `no delivery \`${id}\``);
  throw new DeliveryError('not_dead', `delivery \`${id}\` is ${r.delivery.status}, not dead: only a dead letter can be ${op === 'replay' ? 'replayed' : 'purged'}`, { status: r.delivery.status });
}
