/**
 * The store behind the gate: one adapter implementing every port of gate/ports/ (the decision log,
 * the idempotency keys, the review queue, the delivery outbox), an embedded SQLite adapter and a PostgreSQL adapter,
 * both held to one conformance suite (test/helpers/stores.ts `describeStores`).
 */
import type { DecisionLog, LogItem, LogResult } from '../../gate/ports/decision-log.js';
import type { IdempotencyKeys } from '../../gate/ports/idempotency.js';
import type { Outbox } from '../../gate/ports/outbox.js';
import type { ReviewQueue } from '../../gate/ports/review-queue.js';

export type {
  AppendItem, AppendResult, DecisionRecord, DeliveryRecord, ExceptionCommand, ExceptionCommandResult, ExceptionRecord, ListQuery, LogItem, LogRecord, LogResult, ReviewRecord, VerifyResult,
} from '../../gate/ports/decision-log.js';

export interface Store extends DecisionLog, IdempotencyKeys, ReviewQueue, Outbox {
  readonly kind: 'sqlite' | 'postgres';
  ping(): Promise<void>;
  /** Waits for pending appends, then closes. */
  close(): Promise<void>;
}

/**
 * A store opened in this thread. Its batches can also be committed without its queue: a store's
 * worker thread does that with the batches the gate's thread has gathered (adapters/stores/worker.ts).
 */
export interface LocalStore extends Store {
  /** Commits these appends (decisions and review records) now, in one transaction, or throws. */
  commitBatch(items: LogItem[]): Promise<LogResult[]>;
}

/** The store cannot be reached or cannot write; the gate answers 503 and writes nothing. */
export class StoreUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'StoreUnavailableError';
  }
}

/**
 * The store refused this one item (a value the database cannot hold, say) while it could write
 * others: a defect of the item, not of the store, so retrying it will not help.
 */
export class StoreRefusedError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'StoreRefusedError';
  }
}

/** A command that only reads was pointed at a store that does not exist; nothing was created. */
export class StoreMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreMissingError';
  }
}

/** The store errors by name, so they can cross a worker thread and arrive as themselves. */
export const STORE_ERRORS = { StoreUnavailableError, StoreRefusedError, StoreMissingError } as const;
