/**
 * Group commit: appends that arrive while a commit is being prepared or is in flight share the
 * next commit, so one fsync (SQLite) or one round of statements (PostgreSQL) serves many
 * decisions. Each append's promise settles only after its commit.
 */
import type { AppendItem, AppendResult } from './store.js';

interface Pending { item: AppendItem; resolve(r: AppendResult): void; reject(e: unknown): void }

export class GroupCommit {
  private queue: Pending[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly commit: (items: AppendItem[]) => Promise<AppendResult[]>, private readonly maxBatch = 256) {}

  append(item: AppendItem): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Let the rest of this event-loop turn add its appends to the same commit.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.commit(batch.map((p) => p.item));
        batch.forEach((p, i) => p.resolve(results[i]!));
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
    this.running = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves when every append so far has been committed (or has failed). */
  idle(): Promise<void> {
    return this.running ? new Promise((r) => this.idleWaiters.push(r)) : Promise.resolve();
  }
}
