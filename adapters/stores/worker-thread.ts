/** The worker side of openWorkerStore: opens the real store and serves the proxy's calls. */
import { parentPort, workerData } from 'node:worker_threads';
import { commitEach } from './group-commit.js';
import { openLocalStore, type StoreOptions } from './open.js';
import type { LogRecord, Store } from './store.js';
import { REVIEW_CALLS, unpackItems, wireError, type Reply, type Request, type ReviewCall, type WireSettled } from './worker.js';

const port = parentPort!;
const { url, options } = workerData as { url: string; options: StoreOptions };

const reply = (n: number, p: Promise<unknown>) => {
  void p.then((value) => port.postMessage({ n, ok: true, value } satisfies Reply), (e: unknown) => port.postMessage({ n, ok: false, error: wireError(e) } satisfies Reply));
};

async function exportPage(store: Store, since: string | undefined, after: number): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of store.export(since)) {
    if (r.seq <= after) continue;
    out.push(r);
    if (out.length === 1000) break;
  }
  return out;
}

openLocalStore(url, { ...options, thread: false }).then((store) => {
  port.on('message', (m: Request) => {
    if (m.t === 'append') {
      // The gate's thread gathered this batch and sends the next one after this answer: commit it now, answer it in one message.
      return reply(m.n, commitEach(store.commitBatch, unpackItems(m.items)).then((settled) => settled.map((s): WireSettled => (s.ok ? s : { ok: false, error: wireError(s.error) }))));
    }
    if ((REVIEW_CALLS as readonly string[]).includes(m.op)) return reply(m.n, (store[m.op as ReviewCall] as (...args: unknown[]) => Promise<unknown>)(...m.args));
    const [a, b] = m.args as [never, never];
    switch (m.op) {
      case 'get': return reply(m.n, store.get(a));
      case 'list': return reply(m.n, store.list(a));
      case 'verify': return reply(m.n, store.verify());
      case 'exportPage': return reply(m.n, exportPage(store, a, b));
      case 'expireKeys': return reply(m.n, store.expireKeys(a));
      case 'ping': return reply(m.n, store.ping());
      case 'close': return reply(m.n, store.close());
    }
  });
  port.postMessage({ n: 0, ok: true, value: null } satisfies Reply);
}, (e: unknown) => port.postMessage({ n: 0, ok: false, error: wireError(e) } satisfies Reply));
