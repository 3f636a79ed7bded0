/**
 * `npm run bench:reload`: how long a reload stops the gate's event loop, for a reload that adds
 * 5,000 comparison rules and one that adds 100 patterns new to the process, three ways in the same
 * run: compiling in the event loop's thread as reloads used to (no tests), the same plus the test
 * cases, and the worker thread with the cheap build on the main thread (what the gate does now).
 * Each measurement runs in a fresh process, because recheck's verdicts are memoised per thread.
 * The block is the longest event-loop delay seen by monitorEventLoopDelay during the reload.
 */
import { execFileSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadPolicyFiles } from '../../adapters/loaders/fs.js';
import { compilePolicy } from '../../engine/index.js';
import { checkHere, PolicyHolder, type Checked } from '../../server/policy.js';
import { failedToRead } from '../../server/reload/candidate.js';
import { checkOffThread } from '../../server/reload/off-thread.js';
import { addRefundRules, comparisonRules, copyPack, patternRules } from './packs.js';

const PACKS = { 'rules-5000': () => comparisonRules(5000), 'patterns-100': () => patternRules(100) } as const;
const MODES = ['in-thread, compile only (before)', 'in-thread, compile + tests', 'worker (now)'] as const;
type Pack = keyof typeof PACKS;
type Mode = (typeof MODES)[number];

interface Result { blockMs: number; reloadMs: number; ok: boolean }

/** The reload as it was: compile in this thread, swap if it compiles. */
const compileOnly = (dir: string) => async (): Promise<Checked> => {
  await new Promise((r) => setImmediate(r));
  const files = loadPolicyFiles(dir);
  const r = compilePolicy(files);
  if (!r.ok) return { verdict: failedToRead(new Error('does not compile')) };
  return { verdict: { files: [...files], ok: true, revision: r.policy.revision, stage: null, errors: [], cases: null, regex: [] }, policy: r.policy };
};

async function one(pack: Pack, mode: Mode): Promise<Result> {
  const dir = copyPack();
  const check = mode === MODES[0] ? compileOnly(dir)
    : mode === MODES[1] ? checkHere(() => loadPolicyFiles(dir), { tests: true })
      : () => checkOffThread(dir, 50, { tests: true }).then((verdict) => ({ verdict }));
  const holder = PolicyHolder.open(loadPolicyFiles(dir), check);
  addRefundRules(dir, PACKS[pack]());
  const h = monitorEventLoopDelay({ resolution: 5 });
  // A timer that keeps the loop busy as requests would, so a block shows as delay.
  const tick = setInterval(() => {}, 5);
  h.enable();
  // The histogram's first sample only sets its clock; a block before it would go unseen.
  await new Promise((r) => setTimeout(r, 50));
  const t = performance.now();
  const status = await holder.reload();
  const reloadMs = performance.now() - t;
  // The histogram records a block when the loop next turns, so let it turn before reading.
  await new Promise((r) => setTimeout(r, 20));
  h.disable();
  clearInterval(tick);
  return { blockMs: h.max / 1e6, reloadMs, ok: status.ok };
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

if (process.argv[2] === '--one') {
  const r = await one(process.argv[3] as Pack, process.argv[4] as Mode);
  process.stdout.write(JSON.stringify(r));
} else {
  const runs = Number(process.argv[2] ?? 3);
  console.log(`| reload | how | longest event-loop block, ms (median of ${runs}) | reload, ms |`);
  console.log('|---|---|---:|---:|');
  for (const pack of Object.keys(PACKS) as Pack[]) {
    for (const mode of MODES) {
      const rs = Array.from({ length: runs }, () => JSON.parse(execFileSync(process.execPath, [import.meta.filename, '--one', pack, mode], { encoding: 'utf8' })) as Result);
      if (rs.some((r) => !r.ok)) throw new Error(`${pack} / ${mode}: the reload was refused`);
      const median = (k: keyof Omit<Result, 'ok'>) => rs.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(runs / 2)]!;
      console.log(`| ${pack} | ${mode} | ${fmt(median('blockMs'))} | ${fmt(median('reloadMs'))} |`);
    }
  }
}
