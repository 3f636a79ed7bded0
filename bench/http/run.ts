/**
 * `npm run bench:http`: autocannon (in this process) against servers started each in a fresh
 * process on 127.0.0.1, side by side in one run:
 *   bare Hono        — parses the same JSON body and answers a constant (bench/http/bare.ts)
 *   durable, SQLite  — the least a durable server does: the body appended to a SHA-256 chain with
 *                      group commit, synchronous=FULL (bench/http/durable.ts)
 *   gate, SQLite     — POST /v1/decisions on the embedded store (synchronous=FULL)
 *   durable, PG / gate, PG — the same on PostgreSQL (when ARBITER_TEST_PG_URL names a server;
 *                      `npm run bench:http` starts a throwaway one)
 * The targets run in a rotated order in each round, so none always goes first or last. 50
 * connections, a warm-up, then a bounded window in which every server thread's CPU time (and that
 * of the PostgreSQL backends serving it) is read from /proc. Every request is a new ≈ 1 KB refund
 * proposal, so every 200 is a new record; after each run the log is checked (it must hold a
 * decision for every 200 and its chain must verify) and its size per record is measured.
 * Ratios are gate ÷ durable baseline on the same store, medians of per-round ratios. `--earlier
 * DIR` adds the gate of another build on each store, as `earlier gate`, so that a change is
 * measured against what it replaces in the same run: DIR is a copy of an earlier `dist/` inside
 * this checkout, so that it finds the same node_modules and policy (build the earlier commit, copy
 * `dist/` to `dist-earlier/`, build the change).
 * `--no-trace-answers` asks this build's gate for answers without the trace (`answerTrace: false`).
 * `--prefilled FILE` adds `gate, SQLite, prefilled`: the gate on that SQLite log as it is (fill one
 * with bench/scale/prefill.ts), to compare with the fresh log of `gate, SQLite` in the same run; the
 * log then grows by each round's requests.
 * usage: node dist/bench/http/run.js [--runs 3] [--seconds 10] [--warmup 2] [--connections 50] [--only a,b] [--earlier DIR] [--no-trace-answers] [--prefilled FILE]
 */
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { openStore } from '../../adapters/stores/open.js';
import { byRole, processes, spent, storageWrites, threads } from './cpu.js';
import { ROOT, spawnBare, spawnGate, started, type Served } from './spawn.js';

const argv = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : undefined; };
const arg = (name: string, dflt: number) => Number(argv(name) ?? dflt);
const runs = arg('runs', 3), seconds = arg('seconds', 10), warmup = arg('warmup', 2), connections = arg('connections', 50);
const only = argv('only')?.split(',');
const earlier = argv('earlier');
const prefilled = argv('prefilled');
const proposal = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
const note = 'the customer sent photos of the broken screen and the packaging; the courier confirmed the damage on delivery; '.repeat(4);
/** With `--no-trace-answers`, the gate of this build is asked for answers without the trace (it records it all the same). */
const briefAnswers = process.argv.includes('--no-trace-answers');
const body = (brief = false) => JSON.stringify({ action: 'refund_order', proposal: { ...proposal, proposal_id: randomUUID(), note }, context, ...(brief ? { answerTrace: false } : {}) });
const log = (s: string) => process.stdout.write(`${s}\n`);

/** CPU µs per request answered in the window, by thread role. */
interface Cpu { main: number; thread: number; other: number; pg: number }
interface Result {
  target: string; round: number; rps: number; p50: number; p99: number; ok: number; bad: number; errors: number;
  cpu: Cpu; recorded?: number; recordBytes?: number; storedBytes?: number;
  /** bytes the server process wrote to storage per request (PostgreSQL's own writes are not counted) */
  written: number;
}
/** `recorded`: the decisions the log held before the target started (a prefilled log) */
interface Target { name: string; store?: 'sqlite' | 'pg'; start(): Promise<{ served: Served; storeUrl?: string; table?: string; build?: string; brief?: boolean; recorded?: number }> }

async function load(url: string, key: string, duration: number, brief: boolean): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/v1/decisions`, connections, duration,
    requests: [{ method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, setupRequest: (r) => ({ ...r, body: body(brief) }) }],
  });
}

async function backends(admin: string | undefined, storeUrl: string | undefined): Promise<number[]> {
  if (!admin || !storeUrl?.startsWith('postgres')) return [];
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    const r = await c.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [new URL(storeUrl).pathname.slice(1)]);
    return r.rows.map((x: { pid: number }) => x.pid);
  } finally {
    await c.end();
  }
}

async function measure(t: Target, round: number, pgAdmin: string | undefined): Promise<Result> {
  const { served: s, storeUrl, table, build, brief = false, recorded = 0 } = await t.start();
  const pid = s.child.pid!;
  const w = await load(s.url, s.key, warmup, brief);
  const pgPids = await backends(pgAdmin, storeUrl);
  const before = { threads: threads(pid), pg: processes(pgPids), written: storageWrites(pid) };
  const r = await load(s.url, s.key, seconds, brief);
  const after = { threads: threads(pid), pg: processes(pgPids), written: storageWrites(pid) };
  s.child.kill('SIGTERM');
  await s.exited;
  const n = Math.max(1, r.requests.total);
  const roles = byRole(pid, spent(before.threads, after.threads));
  const pgUs = [...spent(before.pg, after.pg).values()].reduce((a, b) => a + b, 0);
  const result: Result = {
    target: t.name, round, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], bad: r.non2xx, errors: r.errors + r.timeouts,
    cpu: { main: roles.main / n, thread: roles.busiest / n, other: roles.rest / n, pg: pgUs / n }, written: (after.written - before.written) / n,
  };
  if (storeUrl && table) {
    if (table === 'decisions') result.recorded = await audit(storeUrl, w['2xx'] + r['2xx'], build, recorded);
    Object.assign(result, await stored(storeUrl, table));
  }
  return result;
}

/**
 * The log must verify and hold a decision for every 200. It may hold a few more: the requests in
 * flight when the load generator stopped (at most one per connection per phase) were decided and
 * recorded, but their answers were not read.
 */
async function audit(storeUrl: string, answered: number, build?: string, before = 0): Promise<number> {
  // A store is read by the build that wrote it: an earlier one may have an older schema.
  const open = build ? ((await import(pathToFileURL(join(build, 'adapters/stores/open.js')).href)) as { openStore: typeof openStore }).openStore : openStore;
  const store = await open(storeUrl, { mustExist: true });
  try {
    const v = await store.verify();
    if (!v.ok) throw new Error(`the chain does not verify: ${v.problem!.reason}`);
    const added = v.count - before;
    if (added < answered || added > answered + 2 * connections) throw new Error(`${answered} requests were answered 200, but the log holds ${added} more decisions than before`);
    return v.count;
  } finally {
    await store.close();
  }
}

/** Mean record text per row, and the whole database's size per row (tables, indexes, keys). */
async function stored(storeUrl: string, table: string): Promise<{ recordBytes: number; storedBytes: number }> {
  if (storeUrl.startsWith('postgres')) {
    const c = new pg.Client({ connectionString: storeUrl });
    await c.connect();
    try {
      await c.query('VACUUM');  // so that the size counts the rows, not dead space or unset free-space maps
      const r = await c.query(`SELECT count(*)::float8 AS n, avg(octet_length(record))::float8 AS rec,
        (SELECT sum(pg_total_relation_size(oid))::float8 FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace) AS total FROM ${table}`);
      const row = r.rows[0] as { n: number; rec: number; total: number };
      return { recordBytes: row.rec, storedBytes: row.total / row.n };
    } finally {
      await c.end();
    }
  }
  const db = new Database(storeUrl.replace(/^sqlite:/, ''));
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const row = db.prepare(`SELECT count(*) AS n, avg(length(CAST(record AS BLOB))) AS rec FROM ${table}`).get() as { n: number; rec: number };
    const bytes = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
    const free = (db.pragma('freelist_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
    return { recordBytes: row.rec, storedBytes: (bytes - free) / row.n };
  } finally {
    db.close();
  }
}

/** The records of a SQLite log. */
async function count(storeUrl: string): Promise<number> {
  const db = new Database(storeUrl.replace(/^sqlite:/, ''), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM decisions').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function freshPg(admin: string): Promise<string> {
  const name = `arbiter_bench_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

const tempSqlite = () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'arbiter-bench-')), 'd.db')}`;
const durable = (url: string) => started(spawn(process.execPath, [join(ROOT, 'dist/bench/http/durable.js'), '0', url], { stdio: ['ignore', 'ignore', 'pipe'] }));
const gateArgs = ['--rate', '1000000/1000000'];

function targets(pgAdmin: string | undefined): Target[] {
  const list: Target[] = [
    { name: 'bare Hono', start: async () => ({ served: await spawnBare() }) },
    { name: 'durable, SQLite', store: 'sqlite', start: async () => { const u = tempSqlite(); return { served: await durable(u), storeUrl: u, table: 'log' }; } },
    { name: 'gate, SQLite', store: 'sqlite', start: async () => { const u = tempSqlite(); return { served: await spawnGate([...gateArgs, '--store', u], { logLevel: 'info' }), storeUrl: u, table: 'decisions', brief: briefAnswers }; } },
  ];
  if (prefilled) {
    const u = `sqlite:${resolve(prefilled)}`;
    list.push({ name: 'gate, SQLite, prefilled', store: 'sqlite', start: async () => ({ served: await spawnGate([...gateArgs, '--store', u], { logLevel: 'info' }), storeUrl: u, table: 'decisions', brief: briefAnswers, recorded: await count(u) }) });
  }
  if (earlier) {
    const build = resolve(earlier);
    list.push({ name: 'earlier gate, SQLite', store: 'sqlite', start: async () => { const u = tempSqlite(); return { served: await spawnGate([...gateArgs, '--store', u], { logLevel: 'info', build }), storeUrl: u, table: 'decisions', build }; } });
  }
  if (pgAdmin) {
    list.push(
      { name: 'durable, PG', store: 'pg', start: async () => { const u = await freshPg(pgAdmin); return { served: await durable(u), storeUrl: u, table: 'log' }; } },
      { name: 'gate, PG', store: 'pg', start: async () => { const u = await freshPg(pgAdmin); return { served: await spawnGate([...gateArgs, '--store', u], { logLevel: 'info' }), storeUrl: u, table: 'decisions', brief: briefAnswers }; } },
    );
    if (earlier) {
      const build = resolve(earlier);
      list.push({ name: 'earlier gate, PG', store: 'pg', start: async () => { const u = await freshPg(pgAdmin); return { served: await spawnGate([...gateArgs, '--store', u], { logLevel: 'info', build }), storeUrl: u, table: 'decisions', build }; } });
    }
  }
  return only ? list.filter((t) => only.some((o) => t.name.includes(o))) : list;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)]! : NaN; };
const fmt = (x: number | undefined, digits = 0) => (x === undefined || Number.isNaN(x) ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

function report(results: Result[], list: Target[]): string {
  const med = (t: string, f: (r: Result) => number | undefined) => median(results.filter((r) => r.target === t).map(f).filter((x): x is number => x !== undefined));
  const rows = [
    '| target | requests/s | p50 ms | p99 ms | non-2xx + errors | CPU µs/request: main | store thread¹ | other threads | PG backends | total | record B | stored B/record | written B/request² |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...list.map(({ name: t }) => `| ${t} | ${fmt(med(t, (r) => r.rps))} | ${fmt(med(t, (r) => r.p50))} | ${fmt(med(t, (r) => r.p99))} | ${fmt(med(t, (r) => r.bad + r.errors))} | ${fmt(med(t, (r) => r.cpu.main))} | ${fmt(med(t, (r) => r.cpu.thread))} | ${fmt(med(t, (r) => r.cpu.other))} | ${fmt(med(t, (r) => r.cpu.pg))} | ${fmt(med(t, (r) => r.cpu.main + r.cpu.thread + r.cpu.other + r.cpu.pg))} | ${fmt(med(t, (r) => r.recordBytes))} | ${fmt(med(t, (r) => r.storedBytes))} | ${fmt(med(t, (r) => r.written))} |`),
    '',
    '¹ the busiest thread other than the main one: the store\'s worker thread in the gate; in the baselines, a V8 helper.',
    '² what the server process wrote to storage during the window (SQLite\'s WAL and checkpoints), per request; PostgreSQL writes in its own processes.',
    '',
    '| ratio (median of per-round ratios) | requests/s |',
    '|---|---:|',
  ];
  const ratio = (a: string, b: string) => {
    const per = [...new Set(results.map((r) => r.round))].map((round) => {
      const x = results.find((r) => r.target === a && r.round === round), y = results.find((r) => r.target === b && r.round === round);
      return x && y ? x.rps / y.rps : undefined;
    }).filter((x): x is number => x !== undefined);
    return per.length ? `${(100 * median(per)).toFixed(0)}%` : undefined;
  };
  for (const [a, b] of [['gate, SQLite', 'durable, SQLite'], ['gate, SQLite, prefilled', 'gate, SQLite'], ['gate, PG', 'durable, PG'], ['earlier gate, SQLite', 'durable, SQLite'], ['earlier gate, PG', 'durable, PG'],
    ['gate, SQLite', 'earlier gate, SQLite'], ['gate, PG', 'earlier gate, PG'], ['durable, SQLite', 'bare Hono'], ['gate, SQLite', 'bare Hono'], ['gate, PG', 'bare Hono']] as const) {
    const r = ratio(a, b);
    if (r) rows.push(`| ${a} ÷ ${b} | ${r} |`);
  }
  return rows.join('\n');
}

async function main(): Promise<void> {
  const pgAdmin = process.env.ARBITER_TEST_PG_URL;
  log(`machine: ${os.availableParallelism()} cpus, node ${process.version}; ${runs} rounds × ${seconds} s after ${warmup} s warm-up, ${connections} connections, body ≈ ${body().length} B${briefAnswers ? '; the gate answers without the trace' : ''}`);
  if (!pgAdmin) log('PostgreSQL skipped: set ARBITER_TEST_PG_URL, or run `npm run bench:http`, which starts a throwaway server');
  const list = targets(pgAdmin);
  const results: Result[] = [];
  for (let round = 1; round <= runs; round++) {
    // Rotate the order each round: the first and last targets of a run share the machine with nothing but the load generator.
    const order = list.map((_, i) => list[(i + round - 1) % list.length]!);
    for (const t of order) {
      const r = await measure(t, round, pgAdmin);
      results.push(r);
      const cpu = r.cpu.main + r.cpu.thread + r.cpu.other + r.cpu.pg;
      log(`  round ${round} ${t.name.padEnd(20)} ${fmt(r.rps).padStart(7)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  non-2xx ${r.bad}  errors ${r.errors}  CPU ${fmt(cpu)} µs/req (main ${fmt(r.cpu.main)})${r.storedBytes !== undefined ? `  ${fmt(r.storedBytes)} B/record, ${fmt(r.written)} B written/req` : ''}${r.recorded !== undefined ? `  (log: ${r.recorded} decisions, chain verifies)` : ''}`);
    }
  }
  log(`\n${report(results, list)}\n`);
  mkdirSync(join(process.cwd(), 'bench/results'), { recursive: true });
  writeFileSync(join(process.cwd(), 'bench/results/http.json'), JSON.stringify({ date: new Date().toISOString(), runs, seconds, connections, earlier: earlier ?? null, briefAnswers, results }, null, 2));
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
