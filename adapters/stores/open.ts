/** Opens a store from a URL: `sqlite:PATH` (or a bare path) or `postgres://…`, in this thread or a worker thread. */
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';
import type { Store } from './store.js';
import { openWorkerStore } from './worker.js';

export interface StoreOptions {
  synchronous?: 'full' | 'normal';
  poolSize?: number;
  /** run the store in a worker thread (what the gate does) */
  thread?: boolean;
}

export async function openStore(url: string, options: StoreOptions = {}): Promise<Store> {
  if (options.thread) return openWorkerStore(url, options);
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url, options);
  return openSqlite(url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url, options);
}
