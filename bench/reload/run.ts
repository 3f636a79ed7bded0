/**
 * `npm run bench:reload`: how long a reload stops the gate's event loop, for a reload that adds
 * 5,000 comparison rules and one that adds 100 patterns new to the process, three ways in the same
 * run: compiling in the event loop's thread as reloads used to (no tests), the same plus the test
 * cases, and the worker thread that compiles and tests and sends the policy as data, which the
 * main thread rebuilds (what the gate does now). Each measurement runs in a fresh process, because
 * recheck's verdicts are memoised per thread. The block is the longest event-loop delay seen by
 * monitorEventLoopDelay during the reload; on a loaded machine it also holds the time the thread
 * waited for a core. So a second table gives the CPU time of what the main thread does per
 * reload: the compile, as it used to, against its part of a worker reload, taking the worker's
 * message (the structured clone's deserialisation) and rebuilding the policy from it, of which
 * compiling the contracts' ajv validators. The message is made by another process, so the heap of
 * the one measuring holds what a gate's does (the policy it started with), not the compile's garbage.
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
import { fromPortable, toPortable, type PortablePolicy } from '../../engine/compile/transfer.js';
import { compilePolicy, type CompiledPolicy } from '../../engine/index.js';
import { checkHere, PolicyHolder } from '../../server/policy.js';
import { failedToRead, type Checked } from '../../server/reload/candidate.js';
import { checkOffThread } from '../../server/reload/off-thread.js';
import { addRefundRules, comparisonRules, copyPack, patternRules } from './packs.js';

const PACKS = { 'rules-5000': () => comparisonRules(5000), 'patterns-100': () => patternRules(100) } as const;
const MODES = ['in-thread, compile only (before)', 'in-thread, compile + tests', 'worker, sent as data (now)'] as const;
type Pack = keyof typeof PACKS;
type Mode = (typeof MODES)[number];

interface Result { blockMs: number; reloadMs: number; ok: boolean }

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
  const status = await holder.reload();
  const reloadMs = performance.now() - t;
  // The histogram records a block when the loop next turns, so let it turn before reading.
  await new Promise((r) => setTimeout(r, 20));
  h.disable();
  clearInterval(tick);
  return { blockMs: h.max / 1e6, reloadMs, ok: status.ok };
}

interface Parts { compileMs: number; receiveMs: number; rebuildMs: number; ajvMs: number }

const COMPILES = 3, REBUILDS = 10;

function packDir(pack: Pack): string {
  const dir = copyPack();
  addRefundRules(dir, PACKS[pack]());
  return dir;
}

/** What the worker sends for `pack`, serialised as postMessage does. */
function message(pack: Pack): Buffer {
  const files = loadPolicyFiles(packDir(pack));
  const r = compilePolicy(files);
  if (!r.ok) throw new Error(`${pack}: does not compile`);
  return serialize({ verdict: { files: [...files] }, policy: toPortable(r.policy) });
}

/**
 * CPU ms the process used in `f`: the main thread's and that of the helpers it waits for (V8's
 * parallel garbage collection; recheck's thread, which checkSync blocks on). Waiting for a core
 * is not counted.
 */
function cpuMs(f: () => void): number {
  const before = process.cpuUsage();
  f();
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000;
}

/** The main thread's CPU per reload, by step, in a process serving the bundled pack. */
function parts(pack: Pack): Parts {
  const file = join(mkdtempSync(join(tmpdir(), 'arbiter-reload-message-')), 'message');
  execFileSync(process.execPath, [import.meta.filename, '--message', pack, file]);
  const served = PolicyHolder.open(loadPolicyFiles(copyPack()), checkHere(() => new Map(), { tests: false })).current;
  const files = loadPolicyFiles(packDir(pack));
  const sent = readFileSync(file);
  let compileMs = 0, receiveMs = 0, rebuildMs = 0, ajvMs = 0;
  for (let i = 0; i < COMPILES; i++) compileMs += cpuMs(() => compilePolicy(files)) / COMPILES;
  for (let i = 0; i < REBUILDS; i++) {
    let policy: PortablePolicy | undefined;
    receiveMs += cpuMs(() => { policy = (deserialize(sent) as { policy: PortablePolicy }).policy; }) / REBUILDS;
    rebuildMs += cpuMs(() => fromPortable(policy!)) / REBUILDS;
    ajvMs += cpuMs(() => validators(served)) / REBUILDS;
  }
  return { compileMs, receiveMs, rebuildMs, ajvMs };
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
  console.log(`| reload | how | longest event-loop block, ms (median of ${runs}) | reload, ms |`);
  console.log('|---|---|---:|---:|');
  for (const pack of Object.keys(PACKS) as Pack[]) {
    for (const mode of MODES) {
      const rs = Array.from({ length: runs }, () => fresh('--one', pack, mode) as Result);
      if (rs.some((r) => !r.ok)) throw new Error(`${pack} / ${mode}: the reload was refused`);
      console.log(`| ${pack} | ${mode} | ${fmt(median(rs, 'blockMs'))} | ${fmt(median(rs, 'reloadMs'))} |`);
    }
  }
  console.log(`\n| reload | CPU of the main thread's steps, ms (medians of ${runs}): compile (before) | take the worker's message | rebuild the policy | of which ajv |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const pack of Object.keys(PACKS) as Pack[]) {
    const rs = Array.from({ length: runs }, () => fresh('--parts', pack) as Parts);
    console.log(`| ${pack} | ${fmt(median(rs, 'compileMs'))} | ${fmt(median(rs, 'receiveMs'))} | ${fmt(median(rs, 'rebuildMs'))} | ${fmt(median(rs, 'ajvMs'))} |`);
  }
}
