/**
 * The idempotency keys port. A key is claimed inside the decision log's append, in the transaction
 * that records its decision (gate/ports/decision-log.ts), so a claim never outlives or precedes its
 * record; what is left to this port is letting keys go once their time is up.
 */
export interface IdempotencyKeys {
  /** Removes idempotency keys past their expiry; returns how many. */
  expireKeys(now: string): Promise<number>;
}
