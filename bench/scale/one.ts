/**
 * One size of the scale benchmark in this fresh process, printed as one JSON line: the cold
 * compile of the generated pack (the first in the process), then decide() on `refund_order` with
 * the trace off and with the summary trace, each over the same 2,000 requests (a warm-up of a pass
 * and at least half a second, then timed passes for at least a second; every call timed on its own), the number of rules that
 * fired per decision, and the peak RSS of the process after it all.
 * usage: node dist/bench/scale/one.js --n N [--evaluator interpreted]
 */
import { join } from 'node:path';
import { compilePolicy, decide, type ExplainLevel } from '../../engine/index.js';
import { quantile } from '../engine/stats.js';
import { generatedPack, requests } from './pack.js';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1]! : dflt; };
const root = join(import.meta.dirname, '..', '..', '..');
const n = Number(arg('n', '1000'));
const evaluator = arg('evaluator', 'compiled') as 'compiled' | 'interpreted';
const files = generatedPack(root, n);
const reqs = requests(n, 2000);

const t0 = performance.now();
const compiled = compilePolicy(files);
const compileMs = performance.now() - t0;
if (!compiled.ok) throw new Error(`the generated pack does not compile: ${compiled.diagnostics[0]?.message}`);
const policy = compiled.policy;
const rssAfterCompileMB = process.memoryUsage().rss / 2 ** 20;

function run(explain: ExplainLevel) {
  const once = (r: (typeof reqs)[number]) => decide(policy, { action: 'refund_order', proposal: r.proposal, context: r.context, now: r.now, explain }, { evaluator });
  let fired = 0;
  for (const r of reqs) fired += once(r).fired.enforce.length;
  for (let warm = performance.now() + 500; performance.now() < warm;) for (const r of reqs) once(r);
  const samples: number[] = [];
  const until = performance.now() + 1000;
  const cpu = process.cpuUsage();
  do {
    for (const r of reqs) {
      const a = performance.now();
      once(r);
      samples.push((performance.now() - a) * 1000);
    }
  } while (performance.now() < until);
  const spent = process.cpuUsage(cpu);
  samples.sort((a, b) => a - b);
  return { cpuMeanUs: (spent.user + spent.system) / samples.length, medianUs: quantile(samples, 0.5), p99Us: quantile(samples, 0.99), calls: samples.length, firedPerDecision: fired / reqs.length };
}

const off = run('off');
const summary = run('summary');
process.stdout.write(`${JSON.stringify({ n, evaluator, compileMs, rssAfterCompileMB, off, summary, peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
