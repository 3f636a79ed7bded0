/**
 * A store that runs in a worker thread: the database connection lives there, so the gate's event
 * loop never waits on disk or on the database's protocol, and the writes use another core. On
 * the main thread this is a proxy with the same Store interface.
 *
 * The group commit's queue stays on the main thread: appends gather there while a batch is being
 * committed, and the next batch goes out as soon as the store thread answers the last one. The
 * store thread commits each batch as soon as it arrives and answers it with one message. So the
 * wait bound is kept by a timer on a thread that a blocking commit cannot stall, and a batch
 * crosses as one flat array of the items' strings, not as objects to clone.
 */
import { Worker } from 'node:worker_threads';
import type { Delivery, DeliveryAttempt, DeliveryCommandResult, DeliveryStatus, ExceptionCommandResult, ExceptionRecord, QueueDepth, Review, ReviewEventResult, ReviewQuery } from '../../gate/ports.js';
import { GroupCommit, type Settled } from './group-commit.js';
import type { StoreOptions } from './open.js';
import { DEFAULT_TIMEOUT_MS } from './postgres.js';
import { STORE_ERRORS, StoreUnavailableError, type AppendItem, type AppendResult, type DecisionRecord, type ListQuery, type LogRecord, type LogResult, type Store, type VerifyResult } from './store.js';
import { parseStoreUrl } from './url.js';

export type Request =
  | { t: 'call'; n: number; op: 'get' | 'list' | 'verify' | 'exportPage' | 'expireKeys' | 'ping' | 'close' | ReviewCall; args: unknown[] }
  | { t: 'append'; n: number; items: PackedItems };

/**
 * The review queue's calls, passed through by name (gate/ports.ts). A verdict is committed by the
 * store thread's own group commit: verdicts come at a reviewer's pace, not the gate's.
 */
export const REVIEW_CALLS = ['appendReview', 'review', 'reviews', 'dueReviews', 'queueDepth',
  // and the outbox's (gate/ports/outbox.ts): a worker's pace, not the gate's
  'appendDelivery', 'claimDeliveries', 'completeAttempt', 'deliveries', 'delivery', 'deliveryCounts',
  // and the exceptions granted through the gate (gate/exceptions.ts): an operator's pace
  'appendException', 'exceptionRecords'] as const;
export type ReviewCall = (typeof REVIEW_CALLS)[number];

export interface WireError { name: string; message: string }
export type WireSettled = { ok: true; value: LogResult } | { ok: false; error: WireError };

export type Reply = { n: number; ok: true; value: unknown } | { n: number; ok: false; error: WireError };

/** A batch of AppendItems as one array: each item's fourteen fields, in the order packItems writes them (a review entry and an outbox event as their JSON). */
export type PackedItems = (string | number | null)[];
const FIELDS = 14;

export function packItems(items: readonly AppendItem[]): PackedItems {
  const out: PackedItems = [];
  for (const it of items) {
    const { id, action, outcome, idempotencyKey, idempotencyScope, idempotencyMatch, recordedAt, caller, requestJson, decisionJson, ttlMs, review, editOf, delivery, ...rest } = it;
    rest satisfies Record<string, never>;  // a member added to AppendItem must be packed too
    out.push(id, action, outcome, idempotencyKey, idempotencyScope ?? null, idempotencyMatch ?? null, recordedAt, caller, requestJson, decisionJson, ttlMs, review ? JSON.stringify(review) : null, editOf ?? null, delivery ? JSON.stringify(delivery) : null);
  }
  return out;
}

export function unpackItems(p: PackedItems): AppendItem[] {
  const items: AppendItem[] = [];
  for (let k = 0; k < p.length; k += FIELDS) {
    const scope = p[k + 4] as AppendItem['idempotencyScope'] | null, match = p[k + 5] as AppendItem['idempotencyMatch'] | null;
    const review = p[k + 11] as string | null, editOf = p[k + 12] as string | null, delivery = p[k + 13] as string | null;
    items.push({
      id: p[k] as string, action: p[k + 1] as string, outcome: p[k + 2] as string, idempotencyKey: p[k + 3] as string | null,
      ...(scope ? { idempotencyScope: scope } : {}), ...(match ? { idempotencyMatch: match } : {}),
      recordedAt: p[k + 6] as string, caller: p[k + 7] as string, requestJson: p[k + 8] as string, decisionJson: p[k + 9] as string, ttlMs: p[k + 10] as number,
      ...(review !== null ? { review: JSON.parse(review) as NonNullable<AppendItem['review']> } : {}), ...(editOf !== null ? { editOf } : {}),
      ...(delivery !== null ? { delivery: JSON.parse(delivery) as NonNullable<AppendItem['delivery']> } : {}),
    });
  }
  return items;
}

export const wireError = (e: unknown): WireError => ({ name: (e as Error).name, message: (e as Error).message });

/** A store error that crossed the thread boundary, as itself. */
const errorOf = (e: WireError): Error => (Object.hasOwn(STORE_ERRORS, e.name) ? new STORE_ERRORS[e.name as keyof typeof STORE_ERRORS](e.message) : new Error(e.message));

export async function openWorkerStore(url: string, options: StoreOptions = {}, script = new URL('./worker-thread.js', import.meta.url)): Promise<Store> {
  const kind = parseStoreUrl(url).kind;
  const worker = new Worker(script, { workerData: { url, options } });
  const pending = new Map<number, { ok(v: unknown): void; fail(e: unknown): void }>();
  let next = 1;
  let dead: Error | undefined;
  const failAll = (e: Error) => {
    dead = e;
    for (const p of pending.values()) p.fail(e);
    pending.clear();
  };
  worker.on('message', (r: Reply) => {
    const p = pending.get(r.n);
    if (!p) return;
    pending.delete(r.n);
    if (r.ok) p.ok(r.value);
    else p.fail(errorOf(r.error));
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

  const send = <T>(message: (n: number) => Request): Promise<T> => {
    if (dead) return Promise.reject(dead);
    const n = next++;
    return new Promise<T>((ok, fail) => {
      pending.set(n, { ok: ok as (v: unknown) => void, fail });
      worker.postMessage(message(n));
    });
  };
  const call = <T>(op: Extract<Request, { t: 'call' }>['op'], ...args: unknown[]): Promise<T> => send<T>((n) => ({ t: 'call', n, op, args }));
  const group = new GroupCommit<AppendItem, LogResult>({
    each: async (items) => (await send<WireSettled[]>((n) => ({ t: 'append', n, items: packItems(items) })))
      .map((s): Settled => (s.ok ? s : { ok: false, error: errorOf(s.error) })),
  }, { waitMs: options.timeoutMs ?? (kind === 'postgres' ? DEFAULT_TIMEOUT_MS : undefined) });
  let closed = false;

  return {
    kind,
    append(item) {
      if (closed) return Promise.reject(new StoreUnavailableError('the store is closed'));
      if (dead) return Promise.reject(dead);
      return group.append(item) as Promise<AppendResult>;
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
    queueDepth: () => call<QueueDepth[]>('queueDepth'),
    appendDelivery: (cmd) => call<DeliveryCommandResult>('appendDelivery', cmd),
    appendException: (cmd) => call<ExceptionCommandResult>('appendException', cmd),
    exceptionRecords: () => call<ExceptionRecord[]>('exceptionRecords'),
    claimDeliveries: (now, lease, until, limit) => call<Delivery[]>('claimDeliveries', now, lease, until, limit),
    completeAttempt: (o) => call<boolean>('completeAttempt', o),
    deliveries: (q) => call<{ items: Delivery[]; next: number | null }>('deliveries', q),
    delivery: (id) => call<{ delivery: Delivery; attempts: DeliveryAttempt[] } | undefined>('delivery', id),
    deliveryCounts: () => call<{ status: DeliveryStatus; count: number }[]>('deliveryCounts'),
    ping: () => call<void>('ping'),
    async close() {
      if (closed) return;
      closed = true;
      await group.idle();
      await call('close').catch(() => {});
      await worker.terminate();
    },
  };
}
