/**
 * Group commit: appends that arrive while a commit is being prepared or is in flight share the
 * next commit, so one fsync (SQLite) or one round of statements (PostgreSQL) serves many
 * decisions. Each append's promise settles only after its commit.
 *
 * Two things keep one fault from spreading. A batch the store refuses because of one of its items
 * (StoreRefusedError) is split in halves and committed again, down to the item at fault, so the
 * others are still recorded and answered (`commitEach`). And a store that stops answering costs a
 * caller a bounded wait, not a hang: the queue holds at most `maxQueue` appends (beyond that an
 * append fails at once), an append still queued after `waitMs` fails without being written
 * (checked when a batch is taken too, since a commit that blocks the thread keeps the timer from
 * firing), and once a commit finds the store unavailable, every append queued behind it fails
 * with it instead of waiting out the same timeout once per batch.
 *
 * The queue can sit on another thread than the commit: the worker store keeps it on the gate's
 * thread, whose timer fires while the store's thread is blocked, and ships each batch to the
 * store's thread, which splits refused batches there (`{ each }`).
 */
import { StoreRefusedError, StoreUnavailableError, type LogItem, type LogResult } from './store.js';

/** How one item of a batch ended. */
export type Settled<R = LogResult> = { ok: true; value: R } | { ok: false; error: unknown };

/** Commits all items in one transaction, or throws. */
export type Commit<I = LogItem, R = LogResult> = (items: I[]) => Promise<R[]>;
/** Commits items and says how each one ended (refused items already isolated). */
export type CommitEach<I = LogItem, R = LogResult> = (items: I[]) => Promise<Settled<R>[]>;

interface Pending<I, R> { item: I; since: number; resolve(r: R): void; reject(e: unknown): void }

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
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly commit: CommitEach<I, R>;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly waitMs: number;

  constructor(commit: Commit<I, R> | { each: CommitEach<I, R> }, limits: GroupCommitLimits = {}) {
    this.commit = typeof commit === 'function' ? (items) => commitEach(commit, items) : commit.each;
    this.maxBatch = limits.maxBatch ?? 256;
    this.maxQueue = limits.maxQueue ?? 4096;
    this.waitMs = limits.waitMs ?? 0;
  }

  append(item: I): Promise<R> {
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new StoreUnavailableError(`the store is not keeping up: ${this.queue.length} appends are waiting for a commit`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject, since: performance.now() });
      if (this.queue.length === 1) this.arm();
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

  /**
   * One timer, for the oldest queued append: the queue is in arrival order, so when it fires,
   * the appends past their bound are at its front. It is re-armed whenever the front changes.
   */
  private arm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const head = this.queue[0];
    if (this.waitMs <= 0 || !head) return;
    this.timer = setTimeout(() => {
      // The timer fired, so the oldest append's time is up (whatever the clocks' rounding), and so
      // is that of every append that has waited as long.
      const cutoff = Math.max(performance.now() - this.waitMs, head.since);
      let n = 0;
      while (n < this.queue.length && this.queue[n]!.since <= cutoff) n++;
      for (const p of this.queue.splice(0, n)) p.reject(this.late());
      this.arm();
    }, Math.max(0, head.since + this.waitMs - performance.now()));
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const now = performance.now();
      const batch: Pending<I, R>[] = [];
      for (const p of this.queue.splice(0, this.maxBatch)) {
        if (this.waitMs > 0 && now - p.since > this.waitMs) p.reject(this.late());
        else batch.push(p);
      }
      this.arm();
      const unavailable = batch.length ? await this.settle(batch) : undefined;
      if (unavailable !== undefined) {
        for (const p of this.queue.splice(0)) p.reject(unavailable);
        this.arm();
      }
    }
    this.running = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Commits `batch`; returns the error that made the store unavailable, if one did. */
  private async settle(batch: Pending<I, R>[]): Promise<unknown> {
    let settled: Settled<R>[];
    try {
      settled = await this.commit(batch.map((p) => p.item));
    } catch (e) {
      settled = batch.map(() => ({ ok: false, error: e }));
    }
    let unavailable: unknown;
    settled.forEach((s, i) => {
      if (s.ok) return batch[i]!.resolve(s.value);
      batch[i]!.reject(s.error);
      if (!(s.error instanceof StoreRefusedError)) unavailable ??= s.error;
    });
    return unavailable;
  }

  /** Resolves when every append so far has been committed (or has failed). */
  idle(): Promise<void> {
    return this.running ? new Promise((r) => this.idleWaiters.push(r)) : Promise.resolve();
  }
}

/**
 * Commits `items`, isolating refused items by bisection. The halves commit in order, so the
 * chain keeps the order the appends arrived in. Once a half finds the store unavailable, the
 * rest fails with that error rather than trying again.
 */
export async function commitEach<I, R>(commit: Commit<I, R>, items: I[]): Promise<Settled<R>[]> {
  try {
    return (await commit(items)).map((value) => ({ ok: true, value }));
  } catch (e) {
    if (!(e instanceof StoreRefusedError) || items.length === 1) return items.map(() => ({ ok: false, error: e }));
    const half = items.length >> 1;
    const first = await commitEach(commit, items.slice(0, half));
    const down = first.find((s) => !s.ok && !(s.error instanceof StoreRefusedError));
    const rest = down ? items.slice(half).map((): Settled<R> => down) : await commitEach(commit, items.slice(half));
    return [...first, ...rest];
  }
}
