/**
 * Group commit on its own, over a fake commit: one refused item fails alone however the batch is
 * split, and a store that does not answer costs a bounded wait and a bounded queue.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { GroupCommit } from '../adapters/stores/group-commit.js';
import { StoreRefusedError, StoreUnavailableError, type AppendItem, type AppendResult } from '../adapters/stores/store.js';

const item = (id: string): AppendItem => ({
  id, action: 'a', outcome: 'approve', idempotencyKey: null, recordedAt: '2026-11-21T10:00:00.000Z', caller: 't', requestJson: '{}', decisionJson: '{}', ttlMs: 1,
});

/** A store that records every item of a batch, unless one of them is bad: then none. */
function refusingStore(bad: Set<string>) {
  const log: string[] = [];
  let commits = 0;
  const commit = async (items: AppendItem[]): Promise<AppendResult[]> => {
    commits++;
    const refused = items.find((i) => bad.has(i.id));
    if (refused) throw new StoreRefusedError(`refused ${refused.id}`);
    return items.map((i) => { log.push(i.id); return { kind: 'created', id: i.id, seq: log.length }; });
  };
  return { log, commit, commits: () => commits };
}

describe('group commit', () => {
  it('fails exactly the refused items of a batch, records the others in order, and never records a refused one', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), async (badness) => {
      const ids = badness.map((_, i) => `i${i}`);
      const bad = new Set(ids.filter((_, i) => badness[i]));
      const store = refusingStore(bad);
      const group = new GroupCommit(store.commit);
      const settled = await Promise.allSettled(ids.map((id) => group.append(item(id))));
      settled.forEach((r, i) => {
        if (bad.has(ids[i]!)) expect(r).toMatchObject({ status: 'rejected', reason: { name: 'StoreRefusedError', message: `refused ${ids[i]}` } });
        else expect(r).toEqual({ status: 'fulfilled', value: { kind: 'created', id: ids[i], seq: store.log.indexOf(ids[i]!) + 1 } });
      });
      expect(store.log).toEqual(ids.filter((id) => !bad.has(id)));
    }));
  });

  it('does not split a batch when the store is unavailable: every item fails with that error after one commit', async () => {
    let commits = 0;
    const group = new GroupCommit(async () => { commits++; throw new StoreUnavailableError('down'); });
    const settled = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => group.append(item(`u${i}`))));
    expect(settled.every((r) => r.status === 'rejected' && (r.reason as Error).name === 'StoreUnavailableError')).toBe(true);
    expect(commits).toBe(1);
  });

  it('stops splitting once a half finds the store unavailable', async () => {
    const seen: number[] = [];
    const group = new GroupCommit(async (items) => {
      seen.push(items.length);
      if (items.length === 8) throw new StoreRefusedError('one of these');
      throw new StoreUnavailableError('down');
    });
    const settled = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => group.append(item(`s${i}`))));
    expect(seen).toEqual([8, 4]);
    expect(settled.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual(Array.from({ length: 8 }, () => 'down'));
  });

  it('fails an append still waiting for its commit after the wait bound, and writes it nowhere', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate'] });
    try {
      let release!: () => void;
      const committed: string[][] = [];
      const group = new GroupCommit(async (items) => {
        committed.push(items.map((i) => i.id));
        if (committed.length === 1) await new Promise<void>((r) => { release = r; });
        return items.map((i, n) => ({ kind: 'created', id: i.id, seq: n + 1 }));
      }, { waitMs: 2000 });
      const first = group.append(item('first'));
      await vi.advanceTimersByTimeAsync(0);
      const queued = group.append(item('queued'));
      const outcome = queued.then(() => 'committed', (e: Error) => `${e.name}: ${e.message}`);
      await vi.advanceTimersByTimeAsync(2000);
      expect(await outcome).toBe('StoreUnavailableError: the store did not begin a commit within 2000 ms');
      release();
      await expect(first).resolves.toMatchObject({ kind: 'created', id: 'first' });
      await group.idle();
      expect(committed).toEqual([['first']]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails the oldest append when its timer fires, whatever the clock arithmetic rounds to', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate'] });
    // A clock that stands still at a time where (t + 2000) - t is a little less than 2000.
    const now = vi.spyOn(performance, 'now').mockReturnValue(3080.9343363561225);
    try {
      let release!: () => void;
      const group = new GroupCommit(async (items) => {
        await new Promise<void>((r) => { release = r; });
        return items.map((i, n) => ({ kind: 'created', id: i.id, seq: n + 1 }));
      }, { waitMs: 2000 });
      const first = group.append(item('first'));
      await vi.advanceTimersByTimeAsync(0);
      let outcome = 'waiting';
      group.append(item('queued')).then(() => { outcome = 'committed'; }, (e: Error) => { outcome = e.message; });
      await vi.advanceTimersByTimeAsync(2000);
      expect(outcome).toBe('the store did not begin a commit within 2000 ms');
      release();
      await expect(first).resolves.toMatchObject({ kind: 'created', id: 'first' });
    } finally {
      now.mockRestore();
      vi.useRealTimers();
    }
  });

  it('refuses an append at once when the queue is full', async () => {
    let release!: () => void;
    const group = new GroupCommit(async (items) => {
      await new Promise<void>((r) => { release = r; });
      return items.map((i, n) => ({ kind: 'created', id: i.id, seq: n + 1 }));
    }, { maxQueue: 3 });
    const inFlight = group.append(item('in-flight'));
    await new Promise((r) => setImmediate(r));
    const queued = [group.append(item('q1')), group.append(item('q2')), group.append(item('q3'))];
    await expect(group.append(item('over'))).rejects.toThrow(new StoreUnavailableError('the store is not keeping up: 3 appends are waiting for a commit'));
    release();
    await inFlight;
    await new Promise((r) => setImmediate(r));
    release();
    expect((await Promise.all(queued)).map((r) => r.kind)).toEqual(['created', 'created', 'created']);
  });

  it('once a commit finds the store unavailable, the appends queued behind it fail with it instead of waiting once per batch', async () => {
    let commits = 0;
    const group = new GroupCommit(async () => { commits++; throw new StoreUnavailableError('locked'); }, { maxBatch: 256 });
    const settled = await Promise.allSettled(Array.from({ length: 1000 }, (_, i) => group.append(item(`i${i}`))));
    expect(commits).toBe(1);
    expect(settled.every((r) => r.status === 'rejected' && (r.reason as Error).message === 'locked')).toBe(true);
  });

  it('an append past its wait fails unwritten even when a blocking commit kept its timer from firing', async () => {
    const written: string[] = [];
    let first = true;
    const group = new GroupCommit(async (items) => {
      if (first) {
        first = false;
        // Hold the thread, as SQLite waiting for another process's lock does, while more appends are queued.
        const until = Date.now() + 60;
        while (Date.now() < until) { /* busy */ }
      }
      return items.map((it) => { written.push(it.id); return { kind: 'created', id: it.id, seq: written.length }; });
    }, { maxBatch: 1, waitMs: 20 });
    const settled = await Promise.allSettled(['a', 'b'].map((id) => group.append(item(id))));
    expect(settled[0]).toEqual({ status: 'fulfilled', value: { kind: 'created', id: 'a', seq: 1 } });
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { name: 'StoreUnavailableError', message: 'the store did not begin a commit within 20 ms' } });
    expect(written).toEqual(['a']);
  });
});
