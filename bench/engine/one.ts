/**
 * Measures one engine at one rule-set size in this fresh process and prints one JSON line, in
 * this order: cold compile (first in the process); throughput (sequential decisions on one thread
 * for a fixed time, after a warm-up); latency (hrtime around each call, or around a group of G
 * calls when one takes under 5 µs, reported per call); peak RSS so far, which is what a gate that
 * compiled once and serves decisions holds; then warm compiles (median of up to 5 recompiles) and
 * the peak RSS after them.
 * usage: node dist/bench/engine/one.js --engine NAME --n N [--warmup-ms 500] [--tput-ms 1500] [--lat-ms 1000]
 */
import { engine } from './engines.js';
import { quantile } from './stats.js';
import { makeProposals, makeRuleset } from './workload.js';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1]! : dflt; };
const now = () => process.hrtime.bigint();
const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;

async function main(): Promise<void> {
  const e = engine(arg('engine', ''));
  const n = Number(arg('n', '100'));
  const warmupMs = Number(arg('warmup-ms', '500')), tputMs = Number(arg('tput-ms', '1500')), latMs = Number(arg('lat-ms', '1000'));
  const rs = makeRuleset(n);
  const proposals = makeProposals();
  const P = proposals.length;
  e.prepare?.(rs);

  let t = now();
  const d = e.compile(rs);
  const compileColdMs = ms(t, now());

  let idx = 0, sink = 0;
  const next = () => { const p = proposals[idx]!; idx = idx + 1 === P ? 0 : idx + 1; return p; };
  const run = d.kind === 'sync'
    ? (k: number) => { for (let j = 0; j < k; j++) sink += (d.decide(next()) as { fired: string[] }).fired.length; }
    : async (k: number) => { for (let j = 0; j < k; j++) sink += (await d.decide(next())).fired.length; };
  const chunk = d.kind === 'sync' ? 64 : 4;
  async function runFor(durMs: number): Promise<{ count: number; ms: number }> {
    const start = now(), end = start + BigInt(Math.round(durMs * 1e6));
    let count = 0, tt = start;
    while (tt < end || count < 20) { const k = count === 0 ? 1 : chunk; await run(k); count += k; tt = now(); }
    return { count, ms: ms(start, tt) };
  }
  await runFor(warmupMs);
  const tp = await runFor(tputMs);
  const dps = (tp.count / tp.ms) * 1000;

  const G = 1e9 / dps >= 5000 ? 1 : Math.min(256, Math.ceil(5000 / (1e9 / dps)));
  const samples: number[] = [];
  const end = now() + BigInt(latMs * 1e6);
  while (samples.length < 200_000) {
    const a = now();
    await run(G);
    const b = now();
    samples.push(Number(b - a) / G);
    if (b > end && samples.length >= 200) break;
  }
  samples.sort((x, y) => x - y);
  const peakRssMB = process.resourceUsage().maxRSS / 1024;

  const warm: number[] = [];
  const budget = now() + 1_500_000_000n;
  while (warm.length < 5 && (warm.length === 0 || now() < budget)) { t = now(); e.compile(rs); warm.push(ms(t, now())); }
  warm.sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify({
    engine: e.name, n, kind: d.kind, compileColdMs, compileWarmMs: quantile(warm, 0.5), dps, latGroup: G,
    p50us: quantile(samples, 0.5) / 1000, p99us: quantile(samples, 0.99) / 1000,
    peakRssMB, peakRssAfterRecompilesMB: process.resourceUsage().maxRSS / 1024, sink,
  })}\n`);
  process.exit(0);
}

main().catch((err: unknown) => { process.stdout.write(`${JSON.stringify({ error: String((err as Error).stack ?? err) })}\n`); process.exit(2); });
