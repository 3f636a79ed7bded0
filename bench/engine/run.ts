/**
 * `npm run bench`: verify every engine against the hand-written ceiling, then time each
 * (engine, N) in its own fresh process, repeated with the engine order rotated so machine drift
 * hits every engine alike, and report medians and ratios taken between processes of the same
 * repetition. Writes bench/results/engine.json and prints the tables as Markdown.
 * usage: node dist/bench/engine/run.js [--reps 3] [--sizes 10,100,1000] [--engines a,b] [--quick]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ENGINES } from './engines.js';
import { median } from './stats.js';
import { verify } from './verify.js';

const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : undefined; };
const quick = process.argv.includes('--quick');
const reps = Number(arg('reps') ?? (quick ? 1 : 3));
const sizes = (arg('sizes') ?? '10,100,1000').split(',').map(Number);
const names = arg('engines')?.split(',') ?? ENGINES.map((e) => e.name);
const child = quick ? ['--warmup-ms', '200', '--tput-ms', '600', '--lat-ms', '400'] : [];
const log = (s: string) => process.stdout.write(`${s}\n`);

interface Row { engine: string; n: number; rep: number; dps: number; p50us: number; p99us: number; compileColdMs: number; compileWarmMs: number; peakRssMB: number; peakRssAfterRecompilesMB: number; latGroup: number }

const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

async function main(): Promise<void> {
  log(`machine: ${os.availableParallelism()} cpus (${os.cpus()[0]?.model ?? '?'}), node ${process.version}; reps=${reps} sizes=${sizes.join(',')}`);
  log('\n== verify: outcomes and fired sets identical to the ceiling ==');
  const failed = await verify(names, sizes, log);
  if (failed.size) { log(`verification failed for ${[...failed].join(', ')}; nothing is timed`); process.exit(1); }

  log('\n== timing (one fresh process per engine and size) ==');
  const rows: Row[] = [];
  for (let rep = 0; rep < reps; rep++) {
    for (const n of sizes) {
      const order = [...names.slice(rep % names.length), ...names.slice(0, rep % names.length)];
      for (const name of order) {
        const r = spawnSync(process.execPath, [join(import.meta.dirname, 'one.js'), '--engine', name, '--n', String(n), ...child], { encoding: 'utf8', timeout: 300_000 });
        const line = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as Row & { error?: string };
        if (line.error || r.status !== 0) { log(`  ${name} N=${n}: failed ${line.error ?? r.stderr}`); process.exit(1); }
        rows.push({ ...line, rep });
        log(`  rep ${rep + 1} N=${n} ${name.padEnd(22)} ${fmt(line.dps).padStart(12)} dec/s  p50 ${fmt(line.p50us)} µs`);
      }
    }
  }
  const report = tables(rows);
  log(`\n${report.markdown}`);
  mkdirSync(join(process.cwd(), 'bench/results'), { recursive: true });
  writeFileSync(join(process.cwd(), 'bench/results/engine.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.availableParallelism(), reps, rows, ratios: report.ratios }, null, 2));
}

function tables(rows: Row[]) {
  const cell = (engine: string, n: number, f: (r: Row) => number) => median(rows.filter((r) => r.engine === engine && r.n === n).map(f));
  const ratio = (f: (rep: number) => number) => median([...new Set(rows.map((r) => r.rep))].map(f));
  const at = (engine: string, n: number, rep: number) => rows.find((r) => r.engine === engine && r.n === n && r.rep === rep);
  const present = (e: string) => names.includes(e);
  const out: string[] = [];
  const table = (title: string, f: (r: Row) => number) => {
    out.push(`### ${title}`, '', `| engine | ${sizes.map((n) => `N=${n}`).join(' | ')} |`, `|---|${sizes.map(() => '---:').join('|')}|`);
    for (const e of names) out.push(`| ${e} | ${sizes.map((n) => fmt(cell(e, n, f))).join(' | ')} |`);
    out.push('');
  };
  table('Decisions per second, one thread (median)', (r) => r.dps);
  table('p50 latency, µs', (r) => r.p50us);
  table('p99 latency, µs', (r) => r.p99us);
  table('Compile, cold (first in a fresh process), ms', (r) => r.compileColdMs);
  table('Compile, warm (median of recompiles), ms', (r) => r.compileWarmMs);
  table('Peak RSS after one compile and the timed decisions, MB (node, 10,000 proposals and the harness included)', (r) => r.peakRssMB);
  table('Peak RSS after 5 more compiles, MB', (r) => r.peakRssAfterRecompilesMB);

  const ratios: Record<string, number> = {};
  const lines: string[] = ['### Ratios and targets (medians of per-repetition ratios)', '', '| measure | N | value | target |', '|---|---:|---:|---|'];
  const row = (what: string, n: number, value: number, unit: string, target: string, ok: boolean) => {
    ratios[`${what} @${n}`] = value;
    lines.push(`| ${what} | ${n} | ${fmt(value)}${unit} | ${target}${target.startsWith('(') ? '' : ok ? ' ✓' : ' ✗'} |`);
  };
  for (const n of sizes) {
    if (present('arbiter') && present('json-rules-engine')) {
      const v = ratio((rep) => at('arbiter', n, rep)!.dps / at('json-rules-engine', n, rep)!.dps);
      row('speed-up of arbiter rules over json-rules-engine', n, v, '×', '≥ 1,000×', v >= 1000);
    }
    if (present('arbiter') && present('js-codegen')) {
      const v = ratio((rep) => at('js-codegen', n, rep)!.dps / at('arbiter', n, rep)!.dps);
      row('arbiter rules, time per decision ÷ generated JS (js-codegen)', n, v, '×', '≤ 3×', v <= 3);
    }
    if (present('arbiter') && present('ceiling')) {
      const v = ratio((rep) => at('ceiling', n, rep)!.dps / at('arbiter', n, rep)!.dps);
      row('arbiter rules, time per decision ÷ hand-written closures', n, v, '×', '(informative)', true);
    }
    if (present('arbiter-decide-summary') && present('json-rules-engine')) {
      const v = ratio((rep) => at('arbiter-decide-summary', n, rep)!.dps / at('json-rules-engine', n, rep)!.dps);
      row('speed-up of whole decide() (summary trace) over json-rules-engine', n, v, '×', '(informative)', true);
    }
  }
  if (present('arbiter-decide-summary') && sizes.includes(100)) {
    const v = cell('arbiter-decide-summary', 100, (r) => r.p50us);
    row('whole decide(), summary trace, p50', 100, v, ' µs', '< 5 µs', v < 5);
  }
  if (present('arbiter') && sizes.includes(1000)) {
    const c = cell('arbiter', 1000, (r) => r.compileColdMs);
    row('compile, cold', 1000, c, ' ms', '< 1,000 ms', c < 1000);
    for (const e of ['arbiter', 'arbiter-decide-summary'].filter(present)) {
      const m = cell(e, 1000, (r) => r.peakRssMB);
      row(`peak RSS, compiled once and serving (${e})`, 1000, m, ' MB', '< 150 MB', m < 150);
    }
  }
  return { markdown: [...out, ...lines, ''].join('\n'), ratios };
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
