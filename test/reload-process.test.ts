/**
 * Reload as an operator meets it: `arbiter serve` as a child process on a temporary copy of the
 * pack, with the policy files edited underneath it the way people and editors edit them.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPolicyFiles } from '../adapters/loaders/fs.js';
import { addRefundRules, patternRules } from '../bench/reload/packs.js';
import { foldersOf } from '../server/reload/watch.js';
import { copyOfPack, ROOT } from './helpers/cli.js';
import { killAll, postDecision, serveProcess, type Served } from './helpers/process.js';

const proposal = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
const store = () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'arbiter-reload-')), 'decisions.db')}`;

type Status = { ok: boolean; at: string; revision: string | null; stage: string | null; errors: string[] };
type Policy = { revision: string; lastReload: Status };

const policyOf = async (s: Served) => (await (await fetch(`${s.url}/v1/policy`, { headers: { authorization: `Bearer ${s.key}` } })).json()) as Policy;
const reloadVia = async (s: Served) => (await (await fetch(`${s.url}/v1/policy/reload`, { method: 'POST', headers: { authorization: `Bearer ${s.key}` } })).json()) as Status;
/** The next reload attempt after `since` (an `at`), once it has happened. */
async function nextAttempt(s: Served, since: string): Promise<Status> {
  await expect.poll(async () => (await policyOf(s)).lastReload.at, { timeout: 15_000 }).not.toBe(since);
  return (await policyOf(s)).lastReload;
}
/** A refund of 900 on an order of 720. */
const overTotal = async (s: Served) => (await postDecision(s.url, s.key, { action: 'refund_order', proposal: { ...proposal, proposal_id: crypto.randomUUID(), amount: 900 }, context })).body;

/** A rule no test case makes fire, so adding it changes the revision and nothing else. */
const quietRule = (id: string) => `  - id: ${id}\n    outcome: review\n    when: { fact: proposal.order_id, operator: equal, value: o-1 }\n`;
const withRule = (text: string, id: string) => text.replace('\nrisk:\n', `\n${quietRule(id)}\nrisk:\n`);

afterEach(killAll);

describe('reload of a served policy', () => {
  it('an emptied rule file is refused on SIGHUP, on POST /v1/policy/reload and under --watch, and a refund larger than the order is still rejected', async () => {
    const dir = copyOfPack();
    const s = await serveProcess(['--dir', dir, '--store', store(), '--watch']);
    const before = await policyOf(s);
    writeFileSync(join(dir, 'rules/refund_order.yaml'), '');
    const watched = await nextAttempt(s, before.lastReload.at);
    expect(watched).toMatchObject({ ok: false, revision: null });
    s.child.kill('SIGHUP');
    const hup = await nextAttempt(s, watched.at);
    expect(hup).toMatchObject({ ok: false, revision: null });
    const api = await reloadVia(s);
    for (const attempt of [watched, hup, api]) {
      expect(['compile', 'tests']).toContain(attempt.stage);
      expect(attempt.errors.join('\n')).toMatch(/refund_order/);
    }
    expect((await policyOf(s)).revision).toBe(before.revision);
    expect(await overTotal(s)).toMatchObject({ outcome: 'reject', revision: before.revision, reasons: expect.arrayContaining([expect.objectContaining({ rule: 'refund.more_than_order_total' })]) });
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/arbiter_policy_reloads_total\{result="(tests|compile)_failed"\} 3/);
  });

  it('ARBITER_NO_RELOAD_TESTS swaps in what compiles without running the tests', async () => {
    const dir = copyOfPack();
    const s = await serveProcess(['--dir', dir, '--store', store()], { ARBITER_NO_RELOAD_TESTS: 'true' });
    const file = join(dir, 'rules/refund_order.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, `${text.slice(0, text.indexOf('rules:\n'))}rules:\n${text.slice(text.indexOf('  - id: refund.large_needs_person'), text.indexOf('  - id: refund.unusual_method'))}`);
    expect(await reloadVia(s)).toMatchObject({ ok: true, stage: null });
    expect(await overTotal(s)).toMatchObject({ outcome: 'review', reasons: [{ rule: 'refund.large_needs_person' }] });
  });
});

describe('--watch', () => {
  it('hears every rename-save of an editor, and serves no half-written file', async () => {
    const dir = copyOfPack();
    const s = await serveProcess(['--dir', dir, '--store', store(), '--watch']);
    const file = join(dir, 'rules/refund_order.yaml');
    const original = readFileSync(file, 'utf8');
    let last = await policyOf(s);
    for (const id of ['refund.saved_once', 'refund.saved_twice', 'refund.saved_thrice']) {
      const tmp = join(dir, 'rules/.refund_order.yaml.swp');
      writeFileSync(tmp, withRule(original, id));
      renameSync(tmp, file);
      const attempt = await nextAttempt(s, last.lastReload.at);
      expect(attempt).toMatchObject({ ok: true, errors: [] });
      expect(attempt.revision).not.toBe(last.revision);
      last = await policyOf(s);
    }
    const full = withRule(original, 'refund.written_in_two_parts');
    writeFileSync(file, full.slice(0, full.indexOf('  - id: refund.currency_mismatch') + 20));
    const half = await nextAttempt(s, last.lastReload.at);
    expect(half).toMatchObject({ ok: false, revision: null });
    expect((await policyOf(s)).revision).toBe(last.revision);
    expect(await overTotal(s)).toMatchObject({ outcome: 'reject', revision: last.revision });
    writeFileSync(file, full);
    const whole = await nextAttempt(s, half.at);
    expect(whole).toMatchObject({ ok: true });
    expect(whole.revision).not.toBe(last.revision);
  });

  it('watches a folder the registry starts naming, and a folder replaced by a checkout', async () => {
    const dir = copyOfPack();
    const s = await serveProcess(['--dir', dir, '--store', store(), '--watch']);
    let last = await policyOf(s);
    mkdirSync(join(dir, 'extra'));
    writeFileSync(join(dir, 'extra/refund_more.yaml'), `version: 1\nrules:\n${quietRule('refund.extra_one')}`);
    const registry = join(dir, 'rules.registry.yaml');
    writeFileSync(registry, readFileSync(registry, 'utf8').replace('rules: [ rules/refund_order.yaml ]', 'rules: [ rules/refund_order.yaml, extra/refund_more.yaml ]'));
    const named = await nextAttempt(s, last.lastReload.at);
    expect(named).toMatchObject({ ok: true });
    last = await policyOf(s);
    writeFileSync(join(dir, 'extra/refund_more.yaml'), `version: 1\nrules:\n${quietRule('refund.extra_two')}`);
    const edited = await nextAttempt(s, last.lastReload.at);
    expect(edited).toMatchObject({ ok: true });
    expect(edited.revision).not.toBe(last.revision);
    last = await policyOf(s);
    // A checkout that replaces the folder: the old inode goes, a new one comes.
    renameSync(join(dir, 'rules'), join(dir, 'rules.old'));
    cpSync(join(dir, 'rules.old'), join(dir, 'rules'), { recursive: true });
    await nextAttempt(s, last.lastReload.at);
    last = await policyOf(s);
    const file = join(dir, 'rules/refund_order.yaml');
    writeFileSync(file, withRule(readFileSync(file, 'utf8'), 'refund.after_checkout'));
    const after = await nextAttempt(s, last.lastReload.at);
    expect(after).toMatchObject({ ok: true });
    expect(after.revision).not.toBe(last.revision);
  });

  it('watches the folders of the policy files only, not node_modules', async () => {
    const dir = copyOfPack();
    for (let i = 0; i < 200; i++) mkdirSync(join(dir, `node_modules/pkg${i}/lib`), { recursive: true });
    const s = await serveProcess(['--dir', dir, '--store', store(), '--watch']);
    const folders = foldersOf(loadPolicyFiles(dir).keys());
    expect([...folders].sort()).toEqual(['.', 'rules', 'schemas', ...readdirSync(join(dir, 'schemas')).filter((d) => d !== 'src').map((d) => `schemas/${d}`)].sort());
    expect(inotifyWatches(s.child.pid!)).toBe(folders.size);
  });
});

describe('a reload off the event loop', () => {
  it('answers a request while a large reload compiles', async () => {
    const dir = copyOfPack();
    const s = await serveProcess(['--dir', dir, '--store', store()]);
    // Patterns the gate has not seen: proving each one free of catastrophic backtracking is the slow part.
    addRefundRules(dir, patternRules(100));
    const order: string[] = [];
    const reloading = reloadVia(s).then((r) => { order.push('reload'); return r; });
    // The worker has the candidate by now; on the event loop, the reload is waiting for it.
    await new Promise((r) => setTimeout(r, 300));
    const health = await fetch(`${s.url}/healthz`);
    order.push('healthz');
    expect(health.status).toBe(200);
    expect(await reloading).toMatchObject({ ok: true });
    expect(order).toEqual(['healthz', 'reload']);
  });
});

/** inotify watches the process holds, from /proc (Linux). */
function inotifyWatches(pid: number): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try { target = readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
    if (target !== 'anon_inode:inotify') continue;
    n += readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
  }
  return n;
}
