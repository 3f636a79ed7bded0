/** Opens a store from a URL: `sqlite:PATH` (or a bare path) or `postgres://…`, in this thread or a worker thread. */
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';
import type { LocalStore, Store } from './store.js';
import { parseStoreUrl } from './url.js';
import { openWorkerStore } from './worker.js';

export interface StoreOptions {
  synchronous?: 'full' | 'normal';
  poolSize?: number;
  /** run the store in a worker thread (what the gate does) */
  thread?: boolean;
  /** for commands that only read: a store that does not exist is a StoreMissingError, and nothing is created */
  mustExist?: boolean;
  /** how long a write or a query may wait on the store (connecting, on a lock, running; on SQLite, for another process's write lock) before it fails, ms */
  timeoutMs?: number;
}

export async function openStore(url: string, options: StoreOptions = {}): Promise<Store> {
  parseStoreUrl(url);  // another scheme is refused before a thread starts
  return options.thread ? openWorkerStore(url, options) : openLocalStore(url, options);
}

/** The store in this thread (what a store's worker thread opens). */
export async function openLocalStore(url: string, options: StoreOptions = {}): Promise<LocalStore> {
  const at = parseStoreUrl(url);
  return at.kind === 'postgres' ? openPostgres(at.url, options) : openSqlite(at.path, options);
}
