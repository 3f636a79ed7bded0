/**
 * `npm run bench:replay`: `arbiter replay` and `arbiter diff` on the bundled pack, each in fresh
 * processes, medians of --runs repetitions.
 * - replay: a JSON Lines log of the bundled pack's decisions (as `arbiter audit export` writes
 *   them: summary traces included) at two sizes, replayed against the pack with one threshold
 *   tightened, in decisions per second and peak RSS; against reading and parsing the same log
 *   without deciding (the least any replay does), so the ratio says what deciding again costs.
 *   Equal peak RSS at both sizes is what "streamed" means.
 * - diff: `arbiter diff --base HEAD` in a git repository of the pack with that threshold
 *   tightened in the working tree, the whole command (but the node start) in a fresh process, in
 *   seconds of wall clock and of CPU.
 * usage: node dist/bench/replay/run.js [--runs 3] [--sizes 40000,160000]
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicyFiles } from '../../adapters/loaders/fs.js';
import { jsonlRecords } from '../../adapters/stores/jsonl.js';
import { replay, type Recorded } from '../../analysis/replay/run.js';
import { compilePolicy, decide, type CompiledPolicy } from '../../engine/index.js';
import { median } from '../engine/stats.js';
import { main } from '../../cli/main.js';
import { exampleRequests } from './requests.js';

const root = join(import.meta.dirname, '..', '..', '..');
const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : undefined; };
const NOW = '2026-11-21T10:00:00.000Z';
const RULES = 'rules/refund_order.yaml';
const log = (s: string) => process.stdout.write(`${s}\n`);

function compiled(dir: string): CompiledPolicy {
  const r = compilePolicy(loadPolicyFiles(dir));
  if (!r.ok) throw new Error(`${dir} does not compile`);
  return r.policy;
}

/** The pack with refund.large_needs_person's threshold tightened from 500 to 300. */
function candidate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-bench-replay-'));
  for (const p of ['rules.registry.yaml', 'schemas', 'rules']) cpSync(join(root, p), join(dir, p), { recursive: true });
  const text = readFileSync(join(dir, RULES), 'utf8');
  writeFileSync(join(dir, RULES), text.replace('{ fact: proposal.amount, operator: greaterThan, value: 500 }', '{ fact: proposal.amount, operator: greaterThan, value: 300 }'));
  return dir;
}

/** `size` records: 2,000 distinct requests decided by the pack, repeated under fresh ids. */
async function writeLog(file: string, size: number): Promise<void> {
  const live = compiled(root);
  const lines = exampleRequests(live, 2000, 1, NOW).map((r) => ({ r, decision: decide(live, { ...r, now: NOW }) }));
  const out = createWriteStream(file);
  for (let i = 0; i < size; i++) {
    const { r, decision } = lines[i % lines.length]!;
    const line = `${JSON.stringify({ id: `d-${i}`, seq: i + 1, action: r.action, recordedAt: NOW, caller: 'bench', idempotencyKey: null, payloadHash: 'h', request: { proposal: r.proposal, context: r.context ?? null }, decision })}\n`;
    if (!out.write(line)) await new Promise<void>((ok) => out.once('drain', () => ok()));
  }
  await new Promise<void>((ok, fail) => out.end((e?: Error | null) => (e ? fail(e) : ok())));
}

/** One repetition in this (fresh) process; prints its measurements as JSON. */
async function child(part: string, file: string, dir: string): Promise<void> {
  if (part === 'diff') {
    const cpu = process.cpuUsage(), t = performance.now();
    let out = '';
    const code = await main(['diff', '--base', 'HEAD', '--dir', file, '--seed', '1', '--format', 'json'], { out: (x) => { out += x; }, err: (x) => { process.stderr.write(x); }, stdin: () => '' });
    const used = process.cpuUsage(cpu);
    const stricter = (JSON.parse(out) as { behaviour: { action: string; classification: string }[] }).behaviour.some((b) => b.action === 'refund_order' && b.classification === 'stricter');
    if (code !== 0 || !stricter) throw new Error('diff did not find the tightened threshold');
    process.stdout.write(JSON.stringify({ seconds: (performance.now() - t) / 1000, cpuSeconds: (used.user + used.system) / 1e6 }));
    return;
  }
  const policy = part === 'read' ? undefined : compiled(dir);
  const cpu = process.cpuUsage();
  const started = performance.now();
  let count = 0;
  if (!policy) {
    for await (const r of jsonlRecords(file)) if (r.id) count++;
  } else {
    const report = await replay(policy, jsonlRecords(file) as AsyncIterable<Recorded>, { examples: 3 });
    count = report.replayed;
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  process.stdout.write(JSON.stringify({ count, perSecond: count / seconds, perCpuSecond: count / ((used.user + used.system) / 1e6), maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

const self = join(import.meta.dirname, 'run.js');
const inChild = (...args: string[]) => JSON.parse(execFileSync(process.execPath, [self, '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 })) as { count: number; perSecond: number; perCpuSecond: number; maxRssMb: number };

async function bench(): Promise<void> {
  if (arg('child')) return child(arg('child')!, process.argv[process.argv.indexOf('--child') + 2]!, process.argv[process.argv.indexOf('--child') + 3]!);
  const runs = Number(arg('runs') ?? 3);
  const sizes = (arg('sizes') ?? '40000,160000').split(',').map(Number);
  const dir = candidate();
  log(`node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; ${runs} runs each, medians`);
  log('');
  // On a shared machine the wall clock holds the time spent waiting for a core; CPU time does not.
  log('| log | read and parse, decisions/s (wall / CPU) | replay, decisions/s (wall / CPU) | ratio (CPU) | peak RSS read / replay, MB |');
  log('|---:|---:|---:|---:|---:|');
  for (const size of sizes) {
    const file = join(dir, `decisions-${size}.jsonl`);
    await writeLog(file, size);
    const read = Array.from({ length: runs }, () => inChild('read', file, dir));
    const again = Array.from({ length: runs }, () => inChild('replay', file, dir));
    if (again.some((x) => x.count !== size)) throw new Error('replay did not replay every decision');
    const f = (x: number) => Math.round(x).toLocaleString('en-US');
    const r = median(read.map((x) => x.perSecond)), p = median(again.map((x) => x.perSecond));
    const rc = median(read.map((x) => x.perCpuSecond)), pc = median(again.map((x) => x.perCpuSecond));
    log(`| ${size.toLocaleString('en-US')} | ${f(r)} / ${f(rc)} | ${f(p)} / ${f(pc)} | ${(pc / rc).toFixed(2)} | ${median(read.map((x) => x.maxRssMb)).toFixed(0)} / ${median(again.map((x) => x.maxRssMb)).toFixed(0)} |`);
    rmSync(file);
  }

  // diff: a repository of the pack, the threshold tightened in the working tree.
  const repo = mkdtempSync(join(tmpdir(), 'arbiter-bench-diff-'));
  for (const p of ['rules.registry.yaml', 'schemas', 'rules']) cpSync(join(root, p), join(repo, p), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], { stdio: 'pipe' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'pack');
  cpSync(join(dir, RULES), join(repo, RULES));
  const times = Array.from({ length: runs }, () => inChild('diff', repo, repo) as unknown as { seconds: number; cpuSeconds: number });
  log('');
  log(`arbiter diff --base HEAD on the bundled pack (one threshold tightened, default --runs), the command in a fresh process: ${median(times.map((t) => t.seconds)).toFixed(2)} s wall, ${median(times.map((t) => t.cpuSeconds)).toFixed(2)} s CPU (runs: ${times.map((t) => `${t.seconds.toFixed(2)}/${t.cpuSeconds.toFixed(2)}`).join(', ')})`);
  rmSync(dir, { recursive: true });
  rmSync(repo, { recursive: true });
}

await bench();
