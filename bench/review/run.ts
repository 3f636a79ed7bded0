/**
 * `npm run bench:review`: the review loop's targets, against `arbiter serve` (SQLite, synchronous=FULL)
 * started in a fresh process, and Debian's chromium:
 *   keys     — keystrokes for a reviewer to clear 50 pending low-risk tickets of one action
 *              (target: at most 60), checked through the API: all 50 approved
 *   page     — time until the page with a 1,000-item queue is interactive: from navigation start
 *              to the first item focused, with the key already in session storage (target: < 500 ms)
 *   verdict  — from sending an approval until a caller long-polling the decision has the final
 *              outcome, and until the approval's own 200 (target: p99 < 50 ms); with the gate's
 *              CPU µs per verdict against CPU µs per decision recorded in the same run
 * usage: node dist/bench/review/run.js [--verdicts 200] [--runs 5]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { processes, spent } from '../http/cpu.js';
import { spawnGate, type Served } from '../http/spawn.js';
import { ticket } from './proposals.js';

const argv = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? Number(process.argv[i + 1]) : dflt; };
const verdicts = argv('verdicts', 200), runs = argv('runs', 5);
const log = (s: string) => process.stdout.write(`${s}\n`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(gate: Served, path: string, key: string, body?: unknown): Promise<Json> {
  const r = await fetch(`${gate.url}${path}`, body === undefined ? { headers: { authorization: `Bearer ${key}` } }
    : { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
  return (await r.json()) as Json;
}

function fresh(): Promise<Served> {
  return spawnGate(['--store', `sqlite:${join(mkdtempSync(join(tmpdir(), 'arbiter-bench-review-')), 'a.db')}`, '--review-grace', '0s', '--rate', '100000/100000']);
}

async function submit(gate: Served, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await call(gate, '/v1/decisions', gate.key, ticket())).id);
  return ids;
}

async function signedInPage(browser: Browser, gate: Served) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // Runs in the page before its own script: the key as sign-in leaves it, and a mark when the first item has the focus.
  await page.addInitScript({ content: `sessionStorage.setItem('arbiter.review.key', ${JSON.stringify(gate.reviewKey)});
    new MutationObserver((_, o) => { if (document.querySelector('.item.focused')) { window.ready = performance.now(); o.disconnect(); } })
      .observe(document, { subtree: true, childList: true, attributes: true });` });
  return page;
}

async function keys(browser: Browser): Promise<void> {
  const gate = await fresh();
  try {
    const ids = await submit(gate, 50);
    const page = await signedInPage(browser, gate);
    await page.goto(`${gate.url}/review`);
    await page.locator('.item.focused').waitFor();
    const pressed = ['x', ...Array<string>(49).fill('Shift+J'), 'a', 'Enter'];
    for (const k of pressed) await page.keyboard.press(k);
    let left = ids.length;
    for (let i = 0; i < 100 && left; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = (await call(gate, '/v1/reviews?limit=100', gate.reviewKey)).items.length;
    }
    log(`keys: ${pressed.length} keystrokes cleared ${ids.length - left} of ${ids.length} items (target: 50 in at most 60): ${left === 0 && pressed.length <= 60 ? 'met' : 'NOT met'}`);
  } finally {
    gate.child.kill('SIGTERM');
  }
}

async function pageLoad(browser: Browser): Promise<void> {
  const gate = await fresh();
  try {
    await submit(gate, 1000);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const page = await signedInPage(browser, gate);
      await page.goto(`${gate.url}/review`);
      await page.locator('.item.focused').waitFor();
      times.push(await page.evaluate<number>('window.ready'));
      if (i === 0) log(`page: ${await page.locator('.item').count()} items shown`);
      await page.close();
    }
    log(`page: interactive after ${times.map(ms).join(', ')} (median ${ms(pct(times, 50))}; target < 500 ms): ${pct(times, 50) < 500 ? 'met' : 'NOT met'}`);
  } finally {
    gate.child.kill('SIGTERM');
  }
}

async function verdictLatency(): Promise<void> {
  const gate = await fresh();
  const pid = gate.child.pid!;
  try {
    await submit(gate, 20);
    let before = processes([pid]);
    const ids = await submit(gate, verdicts);
    const decideUs = spent(before, processes([pid])).get(pid)! / verdicts;
    const hashes = new Map<string, string>();
    for (const page of [0, 1, 2, 3]) for (const it of (await call(gate, `/v1/reviews?limit=1000&offset=${page * 1000}`, gate.reviewKey)).items) hashes.set(it.id, it.proposalHash);
    const visible: number[] = [], acked: number[] = [];
    before = processes([pid]);
    for (const id of ids) {
      const t0 = { at: 0 };
      const poll = fetch(`${gate.url}/v1/decisions/${id}?wait=30`, { headers: { authorization: `Bearer ${gate.key}` } }).then(async (r) => {
        const d = (await r.json()) as Json;
        if (d.final.outcome !== 'approve') throw new Error(`long poll answered ${JSON.stringify(d.final)}`);
        return performance.now();
      });
      await new Promise((r) => setTimeout(r, 5));
      t0.at = performance.now();
      const ok = await call(gate, `/v1/reviews/${id}/approve`, gate.reviewKey, { proposalHash: hashes.get(id) });
      if (!ok.review) throw new Error(JSON.stringify(ok));
      acked.push(performance.now() - t0.at);
      visible.push((await poll) - t0.at);
    }
    const verdictUs = spent(before, processes([pid])).get(pid)! / verdicts;
    log(`verdict: durable (its 200) p50 ${ms(pct(acked, 50))} p99 ${ms(pct(acked, 99))}; seen by the long poll p50 ${ms(pct(visible, 50))} p99 ${ms(pct(visible, 99))} over ${verdicts} (target p99 < 50 ms): ${pct(visible, 99) < 50 ? 'met' : 'NOT met'}`);
    log(`verdict: gate CPU ${Math.round(verdictUs)} µs per verdict (approve + the long poll it wakes) against ${Math.round(decideUs)} µs per decision recorded: ratio ${(verdictUs / decideUs).toFixed(2)}`);
  } finally {
    gate.child.kill('SIGTERM');
  }
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  await keys(browser);
  await pageLoad(browser);
  await verdictLatency();
} finally {
  await browser.close();
}
