/**
 * `npm run bench:reload`: how long a reload stops the gate's event loop, for a reload that adds
 * 5,000 comparison rules and one that adds 100 patterns new to the process, three ways in the same
 * run: compiling in the event loop's thread as reloads used to (no tests), the same plus the test
 * cases, and the worker thread that compiles and tests and sends the policy as data, which the
 * main thread rebuilds (what the gate does now). Each measurement runs in a fresh process, because
 * recheck's verdicts are memoised per thread. The block is the longest event-loop delay seen by
 * monitorEventLoopDelay during the reload; on a loaded machine it also holds the time the thread
 * waited for a core, so the main thread's CPU time during the reload (from /proc) is given too.
 * A second table splits the main thread's part of a worker reload: taking the worker's message
 * (the structured clone's deserialisation) and rebuilding the policy from it, of which compiling
 * the contracts' ajv validators; the message is made by another process, so the heap of the one
 * measuring holds what a gate's does (the policy it started with), not the compile's garbage.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { deserialize, serialize } from 'node:v8';
import { loadPolicyFiles } from '../../adapters/loaders/fs.js';
import { contractAjv } from '../../engine/contracts/load.js';
import { compileValidator } from '../../engine/contracts/validate.js';
import { fromPortable, toPortable } from '../../engine/compile/transfer.js';
import { compilePolicy, type CompiledPolicy } from '../../engine/index.js';
import { checkHere, PolicyHolder } from '../../server/policy.js';
import { failedToRead, type Checked } from '../../server/reload/candidate.js';
import { checkOffThread } from '../../server/reload/off-thread.js';
import { spent, threads } from '../http/cpu.js';
import { addRefundRules, comparisonRules, copyPack, patternRules } from './packs.js';

const PACKS = { 'rules-5000': () => comparisonRules(5000), 'patterns-100': () => patternRules(100) } as const;
const MODES = ['in-thread, compile only (before)', 'in-thread, compile + tests', 'worker (now)'] as const;
type Pack = keyof typeof PACKS;
type Mode = (typeof MODES)[number];

interface Result { blockMs: number; reloadMs: number; mainCpuMs: number; ok: boolean }

/** The reload as it was: compile in this thread, swap if it compiles. */
const compileOnly = (dir: string) => async (): Promise<Checked> => {
  await new Promise((r) => setImmediate(r));
  const files = loadPolicyFiles(dir);
  const r = compilePolicy(files);
  if (!r.ok) return { verdict: failedToRead(new Error('does not compile')) };
  return { verdict: { files: [...files], ok: true, revision: r.policy.revision, stage: null, errors: [], cases: null }, policy: r.policy };
};

async function one(pack: Pack, mode: Mode): Promise<Result> {
  const dir = copyPack();
  const check = mode === MODES[0] ? compileOnly(dir)
    : mode === MODES[1] ? checkHere(() => loadPolicyFiles(dir), { tests: true })
      : () => checkOffThread(dir, 50, { tests: true });
  const holder = PolicyHolder.open(loadPolicyFiles(dir), check);
  addRefundRules(dir, PACKS[pack]());
  const h = monitorEventLoopDelay({ resolution: 5 });
  // A timer that keeps the loop busy as requests would, so a block shows as delay.
  const tick = setInterval(() => {}, 5);
  h.enable();
  // The histogram's first sample only sets its clock; a block before it would go unseen.
  await new Promise((r) => setTimeout(r, 50));
  const t = performance.now();
  const cpu = threads(process.pid);
  const status = await holder.reload();
  const mainCpuMs = spent(cpu, threads(process.pid)).get(process.pid)! / 1000;
  const reloadMs = performance.now() - t;
  // The histogram records a block when the loop next turns, so let it turn before reading.
  await new Promise((r) => setTimeout(r, 20));
  h.disable();
  clearInterval(tick);
  return { blockMs: h.max / 1e6, reloadMs, mainCpuMs, ok: status.ok };
}

interface Parts { receiveMs: number; rebuildMs: number; ajvMs: number }

/** What the worker sends for `pack`, serialised as postMessage does. */
function message(pack: Pack): Buffer {
  const dir = copyPack();
  addRefundRules(dir, PACKS[pack]());
  const files = loadPolicyFiles(dir);
  const r = compilePolicy(files);
  if (!r.ok) throw new Error(`${pack}: does not compile`);
  return serialize({ verdict: { files: [...files] }, policy: toPortable(r.policy) });
}

/** The main thread's part of a worker reload, step by step, in a process serving the bundled pack. */
function parts(pack: Pack): Parts {
  const file = join(mkdtempSync(join(tmpdir(), 'arbiter-reload-message-')), 'message');
  execFileSync(process.execPath, [import.meta.filename, '--message', pack, file]);
  const served = PolicyHolder.open(loadPolicyFiles(copyPack()), checkHere(() => new Map(), { tests: false })).current;
  const sent = readFileSync(file);
  let t = performance.now();
  const { policy } = deserialize(sent) as { policy: ReturnType<typeof toPortable> };
  const receiveMs = performance.now() - t;
  t = performance.now();
  validators(served);
  const ajvMs = performance.now() - t;
  t = performance.now();
  fromPortable(policy);
  return { receiveMs, rebuildMs: performance.now() - t, ajvMs };
}

/** What fromPortable spends on ajv: every contract compiled once, in one instance. */
function validators(policy: CompiledPolicy): void {
  const ajv = contractAjv();
  const schemas = new Set([...policy.actions.values()].flatMap((a) => [a.contract.schema, ...(a.context ? [a.context.schema] : [])]));
  for (const schema of schemas) compileValidator(ajv, schema);
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const median = <T>(rs: T[], k: keyof T) => rs.map((r) => r[k] as number).sort((a, b) => a - b)[Math.floor(rs.length / 2)]!;
const fresh = (...args: string[]) => JSON.parse(execFileSync(process.execPath, [import.meta.filename, ...args], { encoding: 'utf8' })) as unknown;

if (process.argv[2] === '--one') {
  const r = await one(process.argv[3] as Pack, process.argv[4] as Mode);
  process.stdout.write(JSON.stringify(r));
} else if (process.argv[2] === '--message') {
  writeFileSync(process.argv[4]!, message(process.argv[3] as Pack));
} else if (process.argv[2] === '--parts') {
  process.stdout.write(JSON.stringify(parts(process.argv[3] as Pack)));
} else {
  const runs = Number(process.argv[2] ?? 3);
  console.log(`| reload | how | longest event-loop block, ms (median of ${runs}) | main thread's CPU, ms | reload, ms |`);
  console.log('|---|---|---:|---:|---:|');
  for (const pack of Object.keys(PACKS) as Pack[]) {
    for (const mode of MODES) {
      const rs = Array.from({ length: runs }, () => fresh('--one', pack, mode) as Result);
      if (rs.some((r) => !r.ok)) throw new Error(`${pack} / ${mode}: the reload was refused`);
      console.log(`| ${pack} | ${mode} | ${fmt(median(rs, 'blockMs'))} | ${fmt(median(rs, 'mainCpuMs'))} | ${fmt(median(rs, 'reloadMs'))} |`);
    }
  }
  console.log(`\n| reload | main thread, ms (medians of ${runs}): take the worker's message | rebuild the policy | of which ajv |`);
  console.log('|---|---:|---:|---:|');
  for (const pack of Object.keys(PACKS) as Pack[]) {
    const rs = Array.from({ length: runs }, () => fresh('--parts', pack) as Parts);
    console.log(`| ${pack} | ${fmt(median(rs, 'receiveMs'))} | ${fmt(median(rs, 'rebuildMs'))} | ${fmt(median(rs, 'ajvMs'))} |`);
  }
}
