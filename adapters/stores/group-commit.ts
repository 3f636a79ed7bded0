/**
 * Group commit: appends that arrive while a commit is being prepared or is in flight share the
 * next commit, so one fsync (SQLite) or one round of statements (PostgreSQL) serves many
 * decisions. Each append's promise settles only after its commit.
 *
 * Two things keep one fault from spreading. A batch the store refuses because of one of its items
 * (StoreRefusedError) is split in halves and committed again, down to the item at fault, so the
 * others are still recorded and answered. And a store that stops answering costs a caller a
 * bounded wait, not a hang: the queue holds at most `maxQueue` appends (beyond that an append
 * fails at once), an append still queued after `waitMs` fails without being written (checked
 * when a batch is taken too, since a commit that blocks the thread keeps the timers from firing),
 * and once a commit finds the store unavailable, every append queued behind it fails with it
 * instead of waiting out the same timeout once per batch.
 */
import { StoreRefusedError, StoreUnavailableError, type LogItem, type LogResult } from './store.js';

interface Pending<I, R> { item: I; resolve(r: R): void; reject(e: unknown): void; since: number; timer?: NodeJS.Timeout | undefined }

export interface GroupCommitLimits {
  maxBatch?: number | undefined;
  maxQueue?: number | undefined;
  /** how long an append may wait for its commit to begin; 0: no limit */
  waitMs?: number | undefined;
}

/** Over any item and result: the stores commit decisions and review records (store.ts LogItem) together. */
export class GroupCommit<I = LogItem, R = LogResult> {
  private queue: Pending<I, R>[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly waitMs: number;

  constructor(private readonly commit: (items: I[]) => Promise<R[]>, limits: GroupCommitLimits = {}) {
    this.maxBatch = limits.maxBatch ?? 256;
    this.maxQueue = limits.maxQueue ?? 4096;
    this.waitMs = limits.waitMs ?? 0;
  }

  append(item: I): Promise<R> {
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new StoreUnavailableError(`the store is not keeping up: ${this.queue.length} appends are waiting for a commit`));
    }
    return new Promise((resolve, reject) => {
      const p: Pending<I, R> = { item, resolve, reject, since: performance.now() };
      if (this.waitMs > 0) {
        p.timer = setTimeout(() => {
          const i = this.queue.indexOf(p);
          if (i < 0) return;
          this.queue.splice(i, 1);
          reject(this.late());
        }, this.waitMs);
      }
      this.queue.push(p);
      if (!this.running) {
        this.running = true;
        // Let the rest of this event-loop turn add its appends to the same commit.
        setImmediate(() => void this.drain());
      }
    });
  }

  private late(): StoreUnavailableError {
    return new StoreUnavailableError(`the store did not begin a commit within ${this.waitMs} ms`);
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const now = performance.now();
      const batch: Pending<I, R>[] = [];
      for (const p of this.queue.splice(0, this.maxBatch)) {
        clearTimeout(p.timer);
        if (this.waitMs > 0 && now - p.since > this.waitMs) p.reject(this.late());
        else batch.push(p);
      }
      const unavailable = batch.length ? await this.settle(batch) : undefined;
      if (unavailable !== undefined) {
        for (const p of this.queue.splice(0)) { clearTimeout(p.timer); p.reject(unavailable); }
      }
    }
    this.running = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * Commits `batch`, isolating refused items by bisection. The halves commit in order, so the
   * chain keeps the order the appends arrived in. Returns the error that made the store
   * unavailable, if one did: the rest of the batch then fails with it rather than waiting again.
   */
  private async settle(batch: Pending<I, R>[]): Promise<unknown> {
    try {
      const results = await this.commit(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]!));
      return undefined;
    } catch (e) {
      if (!(e instanceof StoreRefusedError) || batch.length === 1) {
        for (const p of batch) p.reject(e);
        return e instanceof StoreRefusedError ? undefined : e;
      }
      const half = batch.length >> 1;
      const unavailable = await this.settle(batch.slice(0, half));
      if (unavailable !== undefined) {
        for (const p of batch.slice(half)) p.reject(unavailable);
        return unavailable;
      }
      return this.settle(batch.slice(half));
    }
  }

  /** Resolves when every append so far has been committed (or has failed). */
  idle(): Promise<void> {
    return this.running ? new Promise((r) => this.idleWaiters.push(r)) : Promise.resolve();
  }
}
