/**
 * What a `--store` URL names. A scheme the gate does not know is refused rather than read as a
 * file name: `mysql://x` must not quietly become a SQLite database in a folder called `mysql:`.
 * Single-letter prefixes are drive letters (`C:\data\arbiter.db`), not schemes.
 */
export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** The URL names no store Arbiter has; a usage error wherever a store URL is read. */
export class StoreUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUrlError';
  }
}

export function parseStoreUrl(url: string): StoreLocation {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { kind: 'postgres', url };
  if (url.startsWith('sqlite:')) return sqlite(url.slice('sqlite:'.length), url);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):/.exec(url);
  if (scheme) throw new StoreUrlError(`unknown store scheme \`${scheme[1]}:\`: use \`sqlite:PATH\` or \`postgres://user:pass@host:port/db\``);
  return sqlite(url, url);
}

function sqlite(path: string, url: string): StoreLocation {
  if (path === '') throw new StoreUrlError(`\`${url}\` names no file: use \`sqlite:PATH\``);
  return { kind: 'sqlite', path };
}
