/**
 * Starting the gate: the one place that reads the environment and listens. Settings come from
 * flags, then ARBITER_* environment variables, then defaults (the table below, which the docs
 * and `arbiter serve --help` are made from).
 */
import { serve as listen, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import pino from 'pino';
import { loadPolicyFiles } from '../adapters/loaders/fs.js';
import { openStore } from '../adapters/stores/open.js';
import { redact } from '../adapters/stores/postgres.js';
import { parseStoreUrl, StoreUrlError } from '../adapters/stores/url.js';
import { pointerSteps } from '../engine/internal.js';
import { Rational } from '../engine/internal.js';
import { parseDuration } from '../engine/internal.js';
import { createApp } from './app.js';
import { answerClientErrors } from './client-errors.js';
import { DEFAULT_LIMITS, type GateDeps } from './context.js';
import { generateKey, hashKey, KeyRing } from './keys.js';
import { Metrics } from './metrics.js';
import { loadGrants } from '../gate/exceptions.js';
import { PolicyHolder } from './policy.js';
import { checkOffThread } from './reload/off-thread.js';
import { watchPolicy, type PolicyWatch } from './reload/watch.js';
import { reload } from './routes/policy.js';
import { deliveryWorker } from './routes/deliveries.js';
import { reviewTick } from './routes/reviews.js';
import { ShadowPolicy } from '../gate/shadow.js';
import { drainable } from './shutdown.js';

/** `flag`: a switch given without a value (`--watch`), true from the environment as `true`, `1` or `yes`. */
export interface Setting { name: string; env: string; dflt: string; about: string; flag?: true }

export const SETTINGS = [
  { name: 'dir', env: 'ARBITER_DIR', dflt: '.', about: 'the policy repository to serve' },
  { name: 'host', env: 'ARBITER_HOST', dflt: '127.0.0.1', about: 'address to listen on' },
  { name: 'port', env: 'ARBITER_PORT', dflt: '8787', about: 'port to listen on (0: any free port)' },
  { name: 'store', env: 'ARBITER_STORE', dflt: 'sqlite:data/arbiter.db', about: '`sqlite:PATH` or `postgres://user:pass@host:port/db`' },
  { name: 'keys', env: 'ARBITER_KEYS', dflt: '', about: 'API key file; without one a development admin key is generated and printed' },
  { name: 'store-timeout', env: 'ARBITER_STORE_TIMEOUT', dflt: '2s', about: 'how long a write may wait on the store (a lock, a connection, a server that stopped answering); a request is answered 503 within twice this' },
  { name: 'sqlite-sync', env: 'ARBITER_SQLITE_SYNC', dflt: 'full', about: '`full`: durable against power loss; `normal`: against a crash of the process only' },
  { name: 'body-limit', env: 'ARBITER_BODY_LIMIT', dflt: String(DEFAULT_LIMITS.bodyBytes), about: 'largest request body, bytes' },
  { name: 'max-depth', env: 'ARBITER_MAX_DEPTH', dflt: String(DEFAULT_LIMITS.maxDepth), about: 'deepest JSON nesting accepted' },
  { name: 'max-string', env: 'ARBITER_MAX_STRING', dflt: String(DEFAULT_LIMITS.maxStringLength), about: 'longest JSON string accepted, characters' },
  { name: 'rate', env: 'ARBITER_RATE', dflt: `${DEFAULT_LIMITS.rate.perSecond}/${DEFAULT_LIMITS.rate.burst}`, about: 'requests per second / burst, per API key (a key may set its own)' },
  { name: 'idempotency-ttl', env: 'ARBITER_IDEMPOTENCY_TTL', dflt: '24h', about: 'how long an idempotency key holds' },
  { name: 'review-sweep', env: 'ARBITER_REVIEW_SWEEP', dflt: '10s', about: 'how often each replica rejects the review items whose time is up (one wins each item) and counts the queues for `arbiter_review_queue_depth`' },
  { name: 'review-grace', env: 'ARBITER_REVIEW_GRACE', dflt: '5s', about: 'how long the review page holds a verdict, undoable with `U`, before it sends it' },
  { name: 'shadow-dir', env: 'ARBITER_SHADOW_DIR', dflt: '', about: 'a candidate policy repository decided beside the served one, reloaded with it; where it decides otherwise is recorded and counted, and changes nothing (`GET /v1/policy/shadow`)' },
  { name: 'delivery-poll', env: 'ARBITER_DELIVERY_POLL', dflt: '1s', about: 'how often each replica looks for outbox events that are due (docs/delivery.md)' },
  { name: 'delivery-lease', env: 'ARBITER_DELIVERY_LEASE', dflt: '60s', about: 'how long a replica holds an event it is sending; after a crash the event is sent again once this is up; longer than any `deliver.timeout`' },
  { name: 'watch', env: 'ARBITER_WATCH', dflt: 'false', about: 'reload when a policy file changes', flag: true },
  { name: 'no-reload-tests', env: 'ARBITER_NO_RELOAD_TESTS', dflt: 'false', about: 'DANGEROUS: swap in a reloaded policy that compiles without running its `*.test.yaml` cases', flag: true },
  { name: 'log-level', env: 'ARBITER_LOG_LEVEL', dflt: 'info', about: 'pino level: `fatal`, `error`, `warn`, `info`, `debug`, `silent`' },
  { name: 'log-proposals', env: 'ARBITER_LOG_PROPOSALS', dflt: 'false', about: 'log each decision\'s proposal and context' },
  { name: 'redact', env: 'ARBITER_REDACT', dflt: '', about: 'JSON Pointers to mask in logged proposals and contexts, comma-separated (`/proposal/customer/email`)' },
] as const satisfies readonly Setting[];

export type SettingName = (typeof SETTINGS)[number]['name'];
export type Settings = Record<SettingName, string>;

/** Flags over environment over defaults. */
export function settings(flags: Partial<Settings>, env: NodeJS.ProcessEnv = process.env): Settings {
  return Object.fromEntries(SETTINGS.map((s) => [s.name, flags[s.name] ?? env[s.env] ?? s.dflt])) as Settings;
}

export interface Gate { url: string; deps: GateDeps; server: ServerType; shutdown(): Promise<void> }

export class ConfigError extends Error {}

function int(s: Settings, name: SettingName): number {
  const n = Number(s[name]);
  if (!Number.isSafeInteger(n) || n < 0) throw new ConfigError(`--${name} takes a whole number, not \`${s[name]}\``);
  return n;
}

const bool = (v: string) => v === 'true' || v === '1' || v === 'yes';

/** How long the policy files must stay unchanged before a reload compiles them. */
const SETTLE_MS = 50;

export async function startGate(s: Settings, print: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<Gate> {
  const dir = resolve(s.dir);
  const rate = /^(\d+)\/(\d+)$/.exec(s.rate);
  if (!rate) throw new ConfigError(`--rate takes PER_SECOND/BURST, such as 1000/2000, not \`${s.rate}\``);
  const ttl = parseDuration(s['idempotency-ttl']);
  if (!ttl || ttl.cmp(Rational.ZERO) <= 0) throw new ConfigError(`--idempotency-ttl takes a duration such as 24h, not \`${s['idempotency-ttl']}\``);
  if (s['sqlite-sync'] !== 'full' && s['sqlite-sync'] !== 'normal') throw new ConfigError('--sqlite-sync is `full` or `normal`');
  const storeTimeout = parseDuration(s['store-timeout']);
  if (!storeTimeout || storeTimeout.cmp(Rational.ZERO) <= 0) throw new ConfigError(`--store-timeout takes a duration such as 2s, not \`${s['store-timeout']}\``);
  try {
    parseStoreUrl(s.store);
  } catch (e) {
    if (e instanceof StoreUrlError) throw new ConfigError(`--store: ${e.message}`);
    throw e;
  }
  const sweepEvery = positiveDuration(s, 'review-sweep');
  const deliveryPoll = positiveDuration(s, 'delivery-poll');
  const deliveryLease = positiveDuration(s, 'delivery-lease');
  const grace = parseDuration(s['review-grace']);
  if (!grace || grace.cmp(Rational.ZERO) < 0 || grace.toNumber() > 60) throw new ConfigError(`--review-grace takes a duration from 0s to 60s, such as 5s, not \`${s['review-grace']}\``);
  const redactPaths = s.redact.split(',').map((p) => p.trim()).filter(Boolean);
  const bad = redactPaths.find((p) => !/^\/(proposal|context)(\/.+)?$/.test(p));
  if (bad) throw new ConfigError(`--redact takes JSON Pointers under /proposal or /context, not \`${bad}\``);

  // Buffered, asynchronous writes: a line per request must not cost a write() each.
  const logDestination = pino.destination({ dest: 1, sync: false, minLength: 8 * 1024 });
  const logger = pino({
    level: s['log-level'],
    base: { service: 'arbiter' },
    redact: { paths: redactPaths.map(pinoPath), censor: '[redacted]' },
  }, logDestination);
  const flushLog = setInterval(() => logDestination.flush(), 1000);
  flushLog.unref();
  const reloadOptions = { tests: !bool(s['no-reload-tests']) };
  const policy = PolicyHolder.open(loadPolicyFiles(dir), (granted) => checkOffThread(dir, SETTLE_MS, reloadOptions, granted));
  const shadowDir = s['shadow-dir'] ? resolve(s['shadow-dir']) : undefined;
  const shadow = shadowDir ? new ShadowPolicy(openShadow(shadowDir, reloadOptions), shadowDir) : undefined;
  let keys: KeyRing;
  let devKey: string | undefined;
  let devReviewKey: string | undefined;
  if (s.keys) keys = KeyRing.fromFile(s.keys);
  else {
    devKey = generateKey('dev');
    // A second key, because a reviewer may not decide what their own key submitted.
    devReviewKey = generateKey('reviewer');
    keys = new KeyRing([{ id: 'dev', hash: hashKey(devKey), scopes: ['admin'] }, { id: 'reviewer', hash: hashKey(devReviewKey), scopes: ['review:*', 'read'] }]);
  }
  const store = await openStore(s.store, { synchronous: s['sqlite-sync'], thread: true, timeoutMs: Math.ceil(storeTimeout.toNumber() * 1000) });
  // The exceptions granted through the gate and not revoked are part of the policy served.
  try {
    policy.serveGrants(await loadGrants(store));
  } catch (e) {
    await store.close();
    throw e;
  }
  let draining = false;
  const metrics = new Metrics();
  const deps: GateDeps = {
    policy, store, keys, logger, metrics, ...(shadow ? { shadow } : {}),
    limits: {
      bodyBytes: int(s, 'body-limit'), maxDepth: int(s, 'max-depth'), maxStringLength: int(s, 'max-string'),
      rate: { perSecond: Number(rate[1]), burst: Number(rate[2]) }, idempotencyTtlMs: ttl.toNumber() * 1000,
    },
    ...(bool(s['log-proposals']) ? { logProposals: { redact: redactPaths } } : {}),
    draining: () => draining,
    reviewGraceMs: grace.toNumber() * 1000,
  };
  const app = createApp(deps);

  let server: ServerType;
  try {
    server = await listenOn(app.fetch, s.host, int(s, 'port'));
  } catch (e) {
    await store.close();
    throw e;
  }
  answerClientErrors(server as Server);
  const drain = drainable(server as Server);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : int(s, 'port');
  const url = `http://${s.host.includes(':') ? `[${s.host}]` : s.host}:${port}`;

  const expiry = setInterval(() => { store.expireKeys(new Date().toISOString()).catch(() => {}); }, 3600_000);
  expiry.unref();
  const sweeper = setInterval(() => void reviewTick(deps), sweepEvery);
  sweeper.unref();
  const delivery = deliveryWorker(deps, process.env, deliveryLease);
  delivery.start(deliveryPoll, (err) => logger.warn({ err }, 'delivery pass failed; it runs again at the next poll'));
  if (!reloadOptions.tests) logger.warn('--no-reload-tests: a reload swaps in any policy that compiles, without running its test cases');
  let watcher: PolicyWatch | undefined;
  let shadowWatcher: PolicyWatch | undefined;
  if (bool(s.watch)) watcher = watchPolicy(dir, () => policy.paths, () => reload(deps));
  if (bool(s.watch) && shadow) shadowWatcher = watchPolicy(shadow.dir, () => shadow.holder.paths, () => reload(deps));
  const onHup = () => void reload(deps);
  process.on('SIGHUP', onHup);

  let closing: Promise<void> | undefined;
  const shutdown = () => (closing ??= (async () => {
    draining = true;
    watcher?.close();
    shadowWatcher?.close();
    clearInterval(expiry);
    clearInterval(sweeper);
    process.off('SIGHUP', onHup);
    await drain.close();
    await delivery.stop();
    await store.close();
    clearInterval(flushLog);
    logger.info('stopped');
    logDestination.flushSync();
  })());

  logger.info({ url, revision: policy.current.revision, store: redact(s.store), actions: [...policy.current.actions.keys()] }, 'serving');
  print(`arbiter: serving ${policy.current.actions.size} actions (revision ${policy.current.revision.slice(0, 19)}…) from ${dir}`);
  if (shadow) print(`arbiter: shadowing revision ${shadow.holder.current.revision.slice(0, 19)}… from ${shadow.dir}`);
  print(`arbiter: store ${redact(s.store)}`);
  if (devKey) {
    print('');
    print('  ┌─ DEVELOPMENT KEY ─────────────────────────────────────────────────────────────');
    print('  │ No --keys file was given, so these keys were generated for this process only:');
    print(`  │   admin:    ${devKey}`);
    print(`  │   reviewer: ${devReviewKey}   (sign in at /review)`);
    print('  │ Do not run like this in production: create keys with `arbiter keys create`.');
    print('  └───────────────────────────────────────────────────────────────────────────────');
    print('');
  }
  print(`arbiter: listening on ${url}`);
  return { url, deps, server, shutdown };
}

/** The shadow policy must compile to start, as the live one must: a shadow asked for and silently missing would compare nothing. */
function openShadow(dir: string, options: { tests: boolean }): PolicyHolder {
  try {
    return PolicyHolder.open(loadPolicyFiles(dir), () => checkOffThread(dir, SETTLE_MS, options));
  } catch (e) {
    throw new ConfigError(`--shadow-dir ${dir}: ${(e as Error).message}`);
  }
}

function positiveDuration(s: Settings, name: SettingName): number {
  const d = parseDuration(s[name]);
  if (!d || d.cmp(Rational.ZERO) <= 0) throw new ConfigError(`--${name} takes a duration such as 10s, not \`${s[name]}\``);
  return d.toNumber() * 1000;
}

/** Listens, or fails with a message that says why (the address in use, not an EADDRINUSE stack). */
function listenOn(fetch: Parameters<typeof listen>[0]['fetch'], host: string, port: number): Promise<ServerType> {
  return new Promise<ServerType>((ok, fail) => {
    const srv = listen({ fetch, hostname: host, port }, () => ok(srv));
    srv.once('error', (e: NodeJS.ErrnoException) => {
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      fail(e.code === 'EADDRINUSE' ? new Error(`cannot listen on ${where}: the address is already in use`)
        : e.code === 'EACCES' ? new Error(`cannot listen on ${where}: permission denied`) : e);
    });
  });
}

/** `/proposal/customer/email` → `proposal.customer.email` (pino's redaction paths). */
function pinoPath(pointer: string): string {
  return pointerSteps(pointer).map((k, i) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `${i ? '.' : ''}${k}` : `[${JSON.stringify(k)}]`)).join('');
}
