/** A gate for tests: the bundled pack (or given files), a temporary SQLite store, keys for each scope, captured logs. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadPolicyFiles } from '../../adapters/loaders/fs.js';
import { openSqlite } from '../../adapters/stores/sqlite.js';
import type { Store } from '../../adapters/stores/store.js';
import { createApp } from '../../server/app.js';
import { DEFAULT_LIMITS, type GateDeps, type Limits } from '../../server/context.js';
import { generateKey, hashKey, KeyRing, type ApiKey } from '../../server/keys.js';
import { Metrics } from '../../server/metrics.js';
import { checkHere, PolicyHolder } from '../../server/policy.js';
import { ROOT } from './cli.js';

export const KEY_SCOPES = {
  admin: ['admin'], service: ['decide:*', 'read'], refunds: ['decide:refund_order'], reader: ['read'], evaluator: ['evaluate'], slow: ['decide:*'],
  alice: ['review:*', 'read'], bob: ['review:support', 'read'], payer: ['review:payments'], deskbot: ['decide:*', 'review:support'],
} as const;

export interface TestGate {
  app: ReturnType<typeof createApp>;
  deps: GateDeps;
  keys: Record<keyof typeof KEY_SCOPES, string>;
  logs: Record<string, unknown>[];
  files: Map<string, string>;
  /** sends JSON with a key */
  post(path: string, body: unknown, key?: string, headers?: Record<string, string>): Promise<Response>;
  get(path: string, key?: string): Promise<Response>;
}

export function testGate(options: { store?: Store; files?: Map<string, string>; limits?: Partial<Limits>; now?: string; clock?: () => Date; logProposals?: { redact: string[] }; reloadTests?: boolean } = {}): TestGate {
  const files = options.files ?? loadPolicyFiles(ROOT);
  const keys = Object.fromEntries(Object.keys(KEY_SCOPES).map((k) => [k, generateKey(k)])) as TestGate['keys'];
  const ring = new KeyRing(Object.entries(KEY_SCOPES).map(([id, scopes]): ApiKey => ({
    id, hash: hashKey(keys[id as keyof typeof KEY_SCOPES]), scopes: [...scopes], ...(id === 'slow' ? { rate: { perSecond: 1, burst: 2 } } : {}),
  })));
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info', redact: { paths: (options.logProposals?.redact ?? []).map((p) => p.slice(1).replace(/\//g, '.')), censor: '[redacted]' } },
    { write: (line: string) => { logs.push(JSON.parse(line) as Record<string, unknown>); } });
  const store = options.store ?? openSqlite(join(mkdtempSync(join(tmpdir(), 'arbiter-gate-')), 'd.db'));
  const deps: GateDeps = {
    policy: PolicyHolder.open(new Map(files), checkHere(() => new Map(files), { tests: options.reloadTests ?? true })), store, keys: ring, logger, metrics: new Metrics(),
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    ...(options.logProposals ? { logProposals: options.logProposals } : {}),
    ...(options.now ? { clock: () => new Date(options.now!) } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  };
  const app = createApp(deps);
  return {
    app, deps, keys, logs, files,
    post: (path, body, key = keys.admin, headers = {}) => Promise.resolve(app.request(path, {
      method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    })),
    get: (path, key = keys.admin) => Promise.resolve(app.request(path, { headers: { authorization: `Bearer ${key}` } })),
  };
}
