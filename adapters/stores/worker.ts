/**
 * A store that runs in a worker thread: the database connection and the group commit live there,
 * so the gate's event loop never waits on disk or on the database's protocol, and the writes use
 * another core. On the main thread this is a proxy with the same Store interface; appends made in
 * one turn of the event loop travel to the worker in one message.
 */
import { Worker } from 'node:worker_threads';
import type { Review, ReviewEventResult, ReviewQuery } from '../../gate/ports.js';
import { STORE_ERRORS, StoreUnavailableError, type AppendItem, type AppendResult, type DecisionRecord, type ListQuery, type LogRecord, type Store, type VerifyResult } from './store.js';
import type { StoreOptions } from './open.js';

export type Request =
  | { t: 'call'; n: number; op: 'get' | 'list' | 'verify' | 'exportPage' | 'expireKeys' | 'ping' | 'close' | ReviewCall; args: unknown[] }
  | { t: 'append'; batch: { n: number; item: AppendItem }[] };

/** The review queue's calls, passed through by name (gate/ports.ts). */
export const REVIEW_CALLS = ['appendReview', 'review', 'reviews', 'dueReviews', 'queueDepth'] as const;
export type ReviewCall = (typeof REVIEW_CALLS)[number];

export type Reply = { n: number; ok: true; value: unknown } | { n: number; ok: false; error: { name: string; message: string } };

/** The worker answers a batch of appends with one message. */
export type Replies = Reply | Reply[];

export async function openWorkerStore(url: string, options: StoreOptions = {}, script = new URL('./worker-thread.js', import.meta.url)): Promise<Store> {
  const worker = new Worker(script, { workerData: { url, options } });
  const pending = new Map<number, { ok(v: unknown): void; fail(e: unknown): void }>();
  let next = 1;
  let dead: Error | undefined;
  const failAll = (e: Error) => {
    dead = e;
    for (const p of pending.values()) p.fail(e);
    pending.clear();
  };
  const settle = (r: Reply) => {
    const p = pending.get(r.n);
    if (!p) return;
    pending.delete(r.n);
    if (r.ok) p.ok(r.value);
    else p.fail(Object.hasOwn(STORE_ERRORS, r.error.name) ? new STORE_ERRORS[r.error.name as keyof typeof STORE_ERRORS](r.error.message) : new Error(r.error.message));
  };
  worker.on('message', (m: Replies) => {
    if (Array.isArray(m)) for (const r of m) settle(r);
    else settle(m);
  });
  worker.on('error', (e) => failAll(new StoreUnavailableError(`the store thread failed: ${e.message}`, e)));
  worker.on('exit', (code) => failAll(new StoreUnavailableError(`the store thread stopped (${code})`)));
  try {
    await new Promise<void>((ok, fail) => {
      worker.once('message', (r: Reply) => (r.ok ? ok() : fail(r.error.name === 'StoreMissingError' ? new STORE_ERRORS.StoreMissingError(r.error.message) : new StoreUnavailableError(r.error.message))));
      worker.once('error', fail);
    });
  } catch (e) {
    await worker.terminate();
    throw e;
  }

  const call = <T>(op: Extract<Request, { t: 'call' }>['op'], ...args: unknown[]): Promise<T> => {
    if (dead) return Promise.reject(dead);
    const n = next++;
    return new Promise<T>((ok, fail) => {
      pending.set(n, { ok: ok as (v: unknown) => void, fail });
      worker.postMessage({ t: 'call', n, op, args } satisfies Request);
    });
  };

  let batch: { n: number; item: AppendItem }[] = [];
  const flush = () => {
    const b = batch;
    batch = [];
    worker.postMessage({ t: 'append', batch: b } satisfies Request);
  };
  let closed = false;

  return {
    kind: url.startsWith('postgres') ? 'postgres' : 'sqlite',
    append(item) {
      if (closed) return Promise.reject(new StoreUnavailableError('the store is closed'));
      if (dead) return Promise.reject(dead);
      const n = next++;
      return new Promise<AppendResult>((ok, fail) => {
        pending.set(n, { ok: ok as (v: unknown) => void, fail });
        if (batch.push({ n, item }) === 1) setImmediate(flush);
      });
    },
    get: (id) => call<DecisionRecord | undefined>('get', id),
    list: (q: ListQuery) => call<{ items: DecisionRecord[]; next: number | null }>('list', q),
    verify: () => call<VerifyResult>('verify'),
    async *export(since) {
      let after = 0;
      for (;;) {
        const page = await call<LogRecord[]>('exportPage', since, after);
        yield* page;
        if (page.length < 1000) return;
        after = page.at(-1)!.seq;
      }
    },
    expireKeys: (now) => call<number>('expireKeys', now),
    appendReview: (event) => call<ReviewEventResult>('appendReview', event),
    review: (id) => call<Review | undefined>('review', id),
    reviews: (q: ReviewQuery) => call<{ items: Review[]; next: number | null }>('reviews', q),
    dueReviews: (now, limit) => call<Review[]>('dueReviews', now, limit),
    queueDepth: () => call<{ queue: string; pending: number }[]>('queueDepth'),
    ping: () => call<void>('ping'),
    async close() {
      if (closed) return;
      closed = true;
      if (batch.length) flush();
      await call('close').catch(() => {});
      await worker.terminate();
    },
  };
}
