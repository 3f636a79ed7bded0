/**
 * `npm run bench:audit`: how long `arbiter audit verify` takes per 100,000 records. Fills a fresh
 * SQLite log with N decisions (prefill.ts, default 100,000) unless `--store FILE` names one, then
 * runs the command from start to exit, once, and prints the time, the time per 100,000 records,
 * and the CPU time of the command's process.
 * usage: node dist/bench/scale/audit.js [--decisions 100000] [--store FILE]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const argv = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : undefined; };
const dist = join(import.meta.dirname, '..', '..');
let file = argv('store');
if (!file) {
  file = join(mkdtempSync(join(tmpdir(), 'arbiter-audit-')), 'd.db');
  const decisions = argv('decisions') ?? '100000';
  process.stderr.write(`filling ${file} with ${decisions} decisions\n`);
  execFileSync(process.execPath, [join(dist, 'bench/scale/prefill.js'), file, '--decisions', decisions], { stdio: ['ignore', 'ignore', 'inherit'] });
}
const t0 = performance.now();
// The shell's `time` format: the command's own CPU time, read after it exits.
const r = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S'; time node ${JSON.stringify(join(dist, 'cli/bin.js'))} audit verify --store ${JSON.stringify(`sqlite:${file}`)}`], { encoding: 'utf8' });
const seconds = (performance.now() - t0) / 1000;
if (r.status !== 0) throw new Error(`audit verify failed:\n${r.stdout}${r.stderr}`);
const count = Number(/chain of (\d+) record/.exec(r.stdout)?.[1]);
const [user, sys] = r.stderr.trim().split(/\s+/).slice(-2).map(Number) as [number, number];
process.stdout.write(`${r.stdout.trim()}\n${JSON.stringify({ records: count, seconds, secondsPer100k: (seconds * 100_000) / count, cpuSeconds: user + sys })}\n`);
