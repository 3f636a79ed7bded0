/**
 * `npm run bench:policy`: the policy-CI tools, each side by side with a baseline, in fresh
 * processes, medians of --runs repetitions.
 * - prop: `arbiter prop` on the bundled pack (--cases per action) in cases per second, against a
 *   plain fast-check property over the same contract arbitraries that only decides each input
 *   once (the least any property test does).
 * - analyze: on the peer benchmark's synthetic rule set of 1,000 rules: compile, then the whole
 *   analysis, in-process and as the `arbiter analyze` command; against finding never-firing rules by
 *   brute force, evaluating generated proposals with hand-written closures and with
 *   json-rules-engine (the approach its maintainers suggest, which can only sample).
 * - detection: how often `arbiter prop --runs 2000` finds the planted boundary bug, over 100 seeds.
 * usage: node dist/bench/policy-ci/run.js [--runs 3] [--only prop|analyze|detection]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { analyzeAction } from '../../analysis/analyze/run.js';
import { compileDir } from '../../cli/io.js';
import { arbitraryFor } from '../../analysis/prop/arbitraries.js';
import { hintsOf } from '../../analysis/prop/boundaries.js';
import { parseInvariantFile } from '../../analysis/prop/invariants.js';
import { propAction } from '../../analysis/prop/run.js';
import { Diagnostics } from '../../engine/errors.js';
import { decide } from '../../engine/index.js';
import { engine } from '../engine/engines.js';
import { filesOf } from '../engine/policy.js';
import { median } from '../engine/stats.js';
import { makeProposals, makeRuleset } from '../engine/workload.js';

const root = join(import.meta.dirname, '..', '..', '..');
const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : undefined; };
const NOW = '2026-11-21T10:00:00Z';
const CASES = 2000;
const log = (s: string) => process.stdout.write(`${s}\n`);

/** One repetition of a part, in this (fresh) process; prints its measurements as JSON. */
async function child(part: string): Promise<void> {
  if (part === 'prop') {
    const { result, files } = compileDir(root);
    if (!result.ok) throw new Error('the pack does not compile');
    const policy = result.policy;
    let t = performance.now(), cases = 0;
    for (const action of policy.actions.values()) {
      const path = `rules/${action.name}.invariants.yaml`;
      const inv = parseInvariantFile(path, readFileSync(join(root, path), 'utf8'), policy, files, new Diagnostics());
      const r = propAction(policy, action, inv, { runs: CASES, seed: 1, now: NOW });
      if (r.failure) throw new Error(`${action.name}: ${r.failure.error.message}`);
      cases += r.cases;
    }
    const propS = (performance.now() - t) / 1000;
    t = performance.now();
    let decided = 0;
    for (const action of policy.actions.values()) {
      const hints = hintsOf(action, [], NOW);
      const input = fc.record({ proposal: arbitraryFor(action.contract.schema, hints, '/proposal'), context: arbitraryFor(action.context!.schema, hints, '/context') });
      fc.assert(fc.property(input, (x) => {
        decide(policy, { action: action.name, proposal: x.proposal, context: x.context as Record<string, unknown>, now: NOW, explain: 'off' });
        decided++;
      }), { numRuns: CASES, seed: 1 });
    }
    const baseS = (performance.now() - t) / 1000;
    log(JSON.stringify({ propCasesPerS: cases / propS, cases, propS, baselineCasesPerS: decided / baseS, baseS }));
  } else if (part === 'analyze') {
    const rs = makeRuleset(1000);
    let t = performance.now();
    const { compilePolicy } = await import('../../engine/index.js');
    const compiled = compilePolicy(filesOf(rs));
    if (!compiled.ok) throw new Error('the synthetic set does not compile');
    const compileS = (performance.now() - t) / 1000;
    const action = compiled.policy.actions.get('refund')!;
    t = performance.now();
    const r = analyzeAction(action, { samples: 2000, seed: 1, now: NOW, listed: 20 });
    const analyzeS = (performance.now() - t) / 1000;
    const proposals = makeProposals(10_000);
    const dead = async (name: string, count: number) => {
      const d = engine(name).compile(rs);
      const fired = new Set<string>();
      const start = performance.now();
      for (const p of proposals.slice(0, count)) for (const id of (await d.decide(p)).fired) fired.add(id);
      return { s: (performance.now() - start) / 1000, unfired: rs.rules.length - fired.size };
    };
    const closures = await dead('ceiling', 10_000);
    const jre = await dead('json-rules-engine', 100);
    log(JSON.stringify({ compileS, analyzeS, shadowed: r.findings.filter((f) => f.kind === 'shadowed').length, neverFires: r.findings.filter((f) => f.kind === 'never_fires').length,
      closuresS: closures.s, closuresUnfired: closures.unfired, jreS: jre.s, jreUnfired: jre.unfired }));
  } else if (part === 'detection') {
    const dir = join(root, 'test/fixtures/planted');
    const { result, files } = compileDir(dir);
    if (!result.ok) throw new Error('the planted pack does not compile');
    const action = result.policy.actions.get('payout')!;
    const path = 'rules/payout.invariants.yaml';
    const inv = parseInvariantFile(path, readFileSync(join(dir, path), 'utf8'), result.policy, files, new Diagnostics());
    const found: number[] = [];
    for (let seed = 1; seed <= 100; seed++) {
      const r = propAction(result.policy, action, inv, { runs: 2000, seed, now: NOW });
      if (r.failure?.error.property === 'invariant large_payouts_see_a_person') found.push(r.failure.runs);
    }
    log(JSON.stringify({ seeds: 100, found: found.length, medianInput: median(found), worstInput: Math.max(...found) }));
  }
}

function run(part: string): Record<string, number> {
  return JSON.parse(execFileSync(process.execPath, [import.meta.filename, '--child', part], { encoding: 'utf8', maxBuffer: 1 << 24 }).trim().split('\n').at(-1)!) as Record<string, number>;
}

/** `arbiter analyze` on the synthetic set, as a user runs it: process start, compile and analysis. */
function analyzeCommand(): number {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-analyze-'));
  for (const [path, text] of filesOf(makeRuleset(1000))) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const t = performance.now();
  try {
    execFileSync(process.execPath, [join(root, 'dist/cli/bin.js'), 'analyze', '--dir', dir, '--seed', '1', '--now', NOW], { stdio: 'ignore' });
  } catch (e) {
    // Exit 1: the synthetic set has findings at `--fail-on error` or none; either way it ran.
    if ((e as { status?: number }).status !== 1) throw e;
  }
  return (performance.now() - t) / 1000;
}

async function main(): Promise<void> {
  const part = arg('child');
  if (part) return child(part);
  const runs = Number(arg('runs') ?? 3);
  const only = arg('only');
  log(`machine: ${os.availableParallelism()} cpus, node ${process.version}; medians of ${runs} fresh processes`);
  const out: Record<string, unknown> = { date: new Date().toISOString(), runs };
  const rows: string[] = ['| measure | value | baseline | target |', '|---|---:|---:|---|'];
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  if (!only || only === 'prop') {
    const r = Array.from({ length: runs }, () => run('prop'));
    const m = (k: string) => median(r.map((x) => x[k]!));
    out.prop = r;
    rows.push(`| \`arbiter prop\` on the bundled pack, cases/s (${CASES} inputs per action, ${fmt(m('cases'))} cases) | ${fmt(m('propCasesPerS'))} | ${fmt(m('baselineCasesPerS'))} (fast-check + one decide per input) | ≥ 20,000 ${m('propCasesPerS') >= 20_000 ? '✓' : '✗'} |`);
  }
  if (!only || only === 'analyze') {
    const r = Array.from({ length: runs }, () => run('analyze'));
    const cmd = Array.from({ length: runs }, () => analyzeCommand());
    const m = (k: string) => median(r.map((x) => x[k]!));
    out.analyze = { inProcess: r, commandS: cmd };
    rows.push(`| \`arbiter analyze\`, 1,000 rules: the command, start to exit | ${median(cmd).toFixed(2)} s | | < 2 s ${median(cmd) < 2 ? '✓' : '✗'} |`);
    rows.push(`| … of which compile / analysis | ${m('compileS').toFixed(2)} s / ${m('analyzeS').toFixed(2)} s | | |`);
    rows.push(`| … findings: never fires / shadowed | ${m('neverFires')} / ${m('shadowed')} (exact) | | |`);
    rows.push(`| brute force, closures over 10,000 proposals: time / rules never fired | | ${m('closuresS').toFixed(2)} s / ${m('closuresUnfired')} (sampled) | |`);
    rows.push(`| brute force, json-rules-engine over 100 proposals: time / rules never fired | | ${m('jreS').toFixed(2)} s / ${m('jreUnfired')} (sampled) | |`);
  }
  if (!only || only === 'detection') {
    const r = run('detection');
    out.detection = r;
    rows.push(`| planted boundary bug found by \`arbiter prop --runs 2000\`, of 100 seeds | ${r.found} (median at input ${r.medianInput}, latest ${r.worstInput}) | | ≥ 95 ${r.found! >= 95 ? '✓' : '✗'} |`);
  }
  log(`\n${rows.join('\n')}\n`);
  mkdirSync(join(process.cwd(), 'bench/results'), { recursive: true });
  writeFileSync(join(process.cwd(), 'bench/results/policy-ci.json'), JSON.stringify(out, null, 2));
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
