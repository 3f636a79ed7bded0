/** The worker side of openWorkerStore: opens the real store and serves the proxy's calls. */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type StoreOptions } from './open.js';
import type { LogRecord, Store } from './store.js';
import { REVIEW_CALLS, type Reply, type Request, type ReviewCall } from './worker.js';

const port = parentPort!;
const { url, options } = workerData as { url: string; options: StoreOptions };

const settled = (n: number, p: Promise<unknown>): Promise<Reply> =>
  p.then((value) => ({ n, ok: true, value }), (e: unknown) => ({ n, ok: false, error: { name: (e as Error).name, message: (e as Error).message } }));

const reply = (n: number, p: Promise<unknown>) => {
  void settled(n, p).then((r) => port.postMessage(r));
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

openStore(url, { ...options, thread: false }).then((store) => {
  port.on('message', (m: Request) => {
    if (m.t === 'append') {
      // One group commit takes the whole batch; its answers go back in one message.
      void Promise.all(m.batch.map(({ n, item }) => settled(n, store.append(item)))).then((rs) => port.postMessage(rs));
      return;
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
}, (e: unknown) => port.postMessage({ n: 0, ok: false, error: { name: (e as Error).name, message: (e as Error).message } } satisfies Reply));
