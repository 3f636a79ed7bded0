/**
 * `npm run bench:scale`: decide() and compile as the rule count grows. For each of 10, 100,
 * 1,000 and 10,000 generated rules (pack.ts) a fresh process (one.ts) compiles the pack once and
 * times decide() with the trace off and with the summary trace; this prints the table and each
 * size's ratio to the one ten times smaller, and writes bench/results/scale.json.
 * usage: node dist/bench/scale/run.js [--sizes 10,100,1000,10000] [--evaluator interpreted]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1]! : dflt; };
const root = join(import.meta.dirname, '..', '..', '..');
const sizes = arg('sizes', '10,100,1000,10000').split(',').map(Number);
const evaluator = arg('evaluator', 'compiled');

interface Timing { cpuMeanUs: number; medianUs: number; p99Us: number; calls: number; firedPerDecision: number }
interface One { n: number; compileMs: number; rssAfterCompileMB: number; peakRssMB: number; off: Timing; summary: Timing }

const results: One[] = [];
for (const n of sizes) {
  const out = execFileSync(process.execPath, [join(import.meta.dirname, 'one.js'), '--n', String(n), '--evaluator', evaluator], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const one = JSON.parse(out) as One;
  results.push(one);
  process.stderr.write(`${n} rules done\n`);
}

const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (i: number, pick: (o: One) => number) => (i === 0 ? '–' : `${(pick(results[i]!) / pick(results[i - 1]!)).toFixed(1)}×`);
const lines = [
  `decide() on refund_order, ${evaluator}, µs per call: mean CPU time / median / p99 wall time; ratio of the means to the size before`,
  '',
  '| rules | fired per decision | trace off | ratio | summary trace | ratio | compile ms | RSS after compile MB | peak RSS MB |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map((o, i) => `| ${o.n.toLocaleString('en')} | ${f(o.summary.firedPerDecision)} | ${f(o.off.cpuMeanUs)} / ${f(o.off.medianUs)} / ${f(o.off.p99Us)} | ${ratio(i, (x) => x.off.cpuMeanUs)} | `
    + `${f(o.summary.cpuMeanUs)} / ${f(o.summary.medianUs)} / ${f(o.summary.p99Us)} | ${ratio(i, (x) => x.summary.cpuMeanUs)} | ${f(o.compileMs)} | ${f(o.rssAfterCompileMB)} | ${f(o.peakRssMB)} |`),
];
process.stdout.write(`${lines.join('\n')}\n`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/scale.json'), `${JSON.stringify({ evaluator, node: process.version, results }, null, 2)}\n`);
