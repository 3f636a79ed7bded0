/** Opens a store from a URL: `sqlite:PATH` (or a bare path) or `postgres://…`. */
import { openPostgres } from './postgres.js';
import { openSqlite, type SqliteOptions } from './sqlite.js';
import type { Store } from './store.js';

export async function openStore(url: string, options: SqliteOptions & { poolSize?: number } = {}): Promise<Store> {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url, options);
  return openSqlite(url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url, options);
}
