/**
 * The store ports the stateful use cases need, split by what they keep, one file each:
 * - ports/decision-log.ts: the hash-chained log of decisions and the records that follow them;
 * - ports/idempotency.ts: the idempotency keys that point at decisions;
 * - ports/review-queue.ts: the review queue and its verdicts;
 * - ports/outbox.ts: the delivery outbox of final decisions, its leases and attempts.
 * Each adapter (SQLite, PostgreSQL, the worker-thread proxy) implements them all and is held to
 * one conformance suite.
 */
export * from './ports/decision-log.js';
export * from './ports/idempotency.js';
export * from './ports/review-queue.js';
export * from './ports/outbox.js';
