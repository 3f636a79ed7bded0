/**
 * `npm run bench:http`: autocannon (in this process) against, each in a fresh process on 127.0.0.1,
 *   (a) a bare Hono endpoint that parses the same JSON body and returns a constant,
 *   (b) POST /v1/decisions on the embedded SQLite store (synchronous=FULL: durable before the 200),
 *   (c) POST /v1/decisions on PostgreSQL (when ARBITER_TEST_PG_URL names a server; `npm run
 *       bench:http` starts a throwaway one),
 * 50 connections, a warm-up, then a bounded run; every request is a new ≈ 1 KB refund proposal, so
 * every 200 is a new decision. After each gate run the log is checked: it must hold exactly as many
 * decisions as there were 200s, and its chain must verify. Median of --runs runs; ratios b/a, c/a.
 * usage: node dist/bench/http/run.js [--runs 3] [--seconds 10] [--warmup 2] [--connections 50]
 */
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../adapters/stores/open.js';
import { spawnBare, spawnGate, type Served } from './spawn.js';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? Number(process.argv[i + 1]) : dflt; };
const runs = arg('runs', 3), seconds = arg('seconds', 10), warmup = arg('warmup', 2), connections = arg('connections', 50);
const root = join(import.meta.dirname, '..', '..', '..');  // dist/bench/http → the repository
const proposal = JSON.parse(readFileSync(join(root, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(root, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
const note = 'the customer sent photos of the broken screen and the packaging; the courier confirmed the damage on delivery; '.repeat(4);
const body = () => JSON.stringify({ action: 'refund_order', proposal: { ...proposal, proposal_id: randomUUID(), note }, context });
const log = (s: string) => process.stdout.write(`${s}\n`);

interface Result { target: string; rps: number; p50: number; p99: number; ok: number; bad: number; errors: number; recorded?: number }

async function load(url: string, key: string, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/v1/decisions`, connections, duration,
    requests: [{ method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, setupRequest: (r) => ({ ...r, body: body() }) }],
  });
}

async function measure(target: string, start: () => Promise<Served>, check?: (s: Served, ok: number) => Promise<number>): Promise<Result> {
  const s = await start();
  const w = await load(s.url, s.key, warmup);
  const r = await load(s.url, s.key, seconds);
  s.child.kill('SIGTERM');
  await s.exited;
  const ok = r['2xx'];
  const result: Result = { target, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok, bad: r.non2xx, errors: r.errors + r.timeouts };
  if (check) result.recorded = await check(s, w['2xx'] + ok);
  return result;
}

/**
 * The log must verify and hold a decision for every 200. It may hold a few more: the requests in
 * flight when the load generator stopped (at most one per connection per phase) were decided and
 * recorded, but their answers were not read.
 */
async function audit(storeUrl: string, answered: number): Promise<number> {
  const store = await openStore(storeUrl, { mustExist: true });
  try {
    const v = await store.verify();
    if (!v.ok) throw new Error(`the chain does not verify: ${v.problem!.reason}`);
    if (v.count < answered || v.count > answered + 2 * connections) throw new Error(`${answered} requests were answered 200, but the log holds ${v.count} decisions`);
    return v.count;
  } finally {
    await store.close();
  }
}

async function freshPg(admin: string): Promise<string> {
  const name = `arbiter_bench_${Date.now()}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

async function main(): Promise<void> {
  const pgAdmin = process.env.ARBITER_TEST_PG_URL;
  log(`machine: ${os.availableParallelism()} cpus, node ${process.version}; ${runs} runs × ${seconds} s after ${warmup} s warm-up, ${connections} connections, body ≈ ${body().length} B`);
  if (!pgAdmin) log('(c) PostgreSQL skipped: set ARBITER_TEST_PG_URL, or run `npm run bench:http`, which starts a throwaway server');
  const gateArgs = ['--rate', '1000000/1000000'];
  const results: Result[] = [];
  for (let run = 1; run <= runs; run++) {
    results.push(await measure('a: bare Hono', () => spawnBare()));
    const sqlite = `sqlite:${join(mkdtempSync(join(tmpdir(), 'arbiter-bench-')), 'd.db')}`;
    results.push(await measure('b: gate, SQLite', () => spawnGate([...gateArgs, '--store', sqlite], { logLevel: 'info' }), (_, n) => audit(sqlite, n)));
    if (pgAdmin) {
      const url = await freshPg(pgAdmin);
      results.push(await measure('c: gate, PostgreSQL', () => spawnGate([...gateArgs, '--store', url], { logLevel: 'info' }), (_, n) => audit(url, n)));
    }
    for (const r of results.slice(-3)) log(`  run ${run} ${r.target.padEnd(20)} ${Math.round(r.rps).toString().padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  non-2xx ${r.bad}  errors ${r.errors}${r.recorded !== undefined ? `  (log: ${r.recorded} decisions, chain verifies)` : ''}`);
  }
  const med = (target: string, f: (r: Result) => number) => { const xs = results.filter((r) => r.target === target).map(f).sort((x, y) => x - y); return xs.length ? xs[Math.floor(xs.length / 2)]! : NaN; };
  const targets = [...new Set(results.map((r) => r.target))];
  const rows = ['| target | requests/s | p50 ms | p99 ms | non-2xx + errors |', '|---|---:|---:|---:|---:|',
    ...targets.map((t) => `| ${t} | ${Math.round(med(t, (r) => r.rps)).toLocaleString('en-US')} | ${med(t, (r) => r.p50)} | ${med(t, (r) => r.p99)} | ${med(t, (r) => r.bad + r.errors)} |`)];
  const ratio = (t: string) => {
    const per = [...Array(runs).keys()].map((i) => results.filter((r) => r.target === t)[i]!.rps / results.filter((r) => r.target === 'a: bare Hono')[i]!.rps).sort((x, y) => x - y);
    return per[Math.floor(per.length / 2)]!;
  };
  const b = ratio('b: gate, SQLite');
  rows.push('', '| ratio (median of per-run ratios) | value | target |', '|---|---:|---|',
    `| b / a requests/s | ${(100 * b).toFixed(0)}% | ≥ 50% ${b >= 0.5 ? '✓' : '✗'} |`,
    `| b p99 | ${med('b: gate, SQLite', (r) => r.p99)} ms | < 20 ms ${med('b: gate, SQLite', (r) => r.p99) < 20 ? '✓' : '✗'} |`);
  if (pgAdmin) { const c = ratio('c: gate, PostgreSQL'); rows.push(`| c / a requests/s | ${(100 * c).toFixed(0)}% | ≥ 30% ${c >= 0.3 ? '✓' : '✗'} |`); }
  log(`\n${rows.join('\n')}\n`);
  mkdirSync(join(process.cwd(), 'bench/results'), { recursive: true });
  writeFileSync(join(process.cwd(), 'bench/results/http.json'), JSON.stringify({ date: new Date().toISOString(), runs, seconds, connections, results }, null, 2));
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
