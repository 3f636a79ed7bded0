/**
 * arbiter diff on fixture pairs, each a commit of the bundled pack and a change in the working
 * tree: a tightened threshold is stricter, a removed reject rule looser, a reordered file and a
 * renamed rule with the same condition equivalent; the changes are listed as written, and each
 * example input decides as the report says under both versions.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadPolicyFiles } from '../adapters/loaders/fs.js';
import { loadPolicyFilesAt } from '../adapters/loaders/git.js';
import type { DiffReport } from '../analysis/diff/report.js';
import { compilePolicy, decide, type CompiledPolicy } from '../engine/index.js';
import { arbiter, copyOfPack, ROOT } from './helpers/cli.js';

const NOW = '2026-11-21T10:00:00Z';
const RULES = 'rules/refund_order.yaml';

/** A git repository holding the bundled pack, committed, with `change` applied to the working tree. */
function repoWith(change: (text: string) => string): string {
  const dir = copyOfPack();
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { stdio: 'pipe' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'pack');
  const text = readFileSync(join(dir, RULES), 'utf8');
  const changed = change(text);
  expect(changed).not.toBe(text);
  writeFileSync(join(dir, RULES), changed);
  return dir;
}

function compiled(files: Map<string, string>): CompiledPolicy {
  const r = compilePolicy(files);
  if (!r.ok) throw new Error('does not compile');
  return r.policy;
}

async function diff(dir: string, ...more: string[]): Promise<DiffReport> {
  const r = await arbiter('diff', '--base', 'HEAD', '--dir', dir, '--runs', '300', '--seed', '5', '--now', NOW, '--format', 'json', ...more);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as DiffReport;
}

const classes = (r: DiffReport) => Object.fromEntries(r.behaviour.map((b) => [b.action, b.classification]));
const EQUIVALENT = { tier_upgrade: 'equivalent', refund_order: 'equivalent', send_external_email: 'equivalent', modify_user_permissions: 'equivalent', create_support_ticket: 'equivalent' };

/** The example, as its test case says, decided by both versions as the report says. */
function checkExample(dir: string, r: DiffReport, way: 'stricter' | 'looser') {
  const e = r.behaviour.find((b) => b.action === 'refund_order')![way]!;
  const base = compiled(loadPolicyFilesAt(dir, 'HEAD')), head = compiled(loadPolicyFiles(dir));
  const [c] = load(e.testCase.split('\n').map((l) => l.slice(2)).join('\n')) as [{ name: string; proposal: unknown; context: unknown; now: string; expect: { outcome: string } }];
  expect(c).toEqual({ name: `refund_order: ${e.base} before, ${e.head} now`, proposal: e.input.proposal, context: e.input.context, now: NOW, expect: { outcome: e.head } });
  const req = { action: 'refund_order', proposal: c.proposal, context: c.context as Record<string, unknown>, now: c.now };
  expect([decide(base, req).outcome, decide(head, req).outcome]).toEqual([e.base, e.head]);
  return e;
}

describe('arbiter diff', () => {
  it('reads the base revision with git, as the files were committed, leaving the working tree alone', () => {
    const dir = repoWith((t) => t.replace('value: 500 }', 'value: 300 }'));
    const at = loadPolicyFilesAt(dir, 'HEAD'), now = loadPolicyFiles(dir);
    expect([...at.keys()].sort()).toEqual([...now.keys()].sort());
    expect(at.get(RULES)).toBe(readFileSync(join(ROOT, RULES), 'utf8'));
    expect(now.get(RULES)).toContain('value: 300 }');
  });

  it('calls a tightened threshold stricter, with an example on each side of it', async () => {
    const dir = repoWith((t) => t.replace('{ fact: proposal.amount, operator: greaterThan, value: 500 }', '{ fact: proposal.amount, operator: greaterThan, value: 300 }'));
    const r = await diff(dir);
    expect(r.changes).toEqual([{ what: 'rule', kind: 'changed', action: 'refund_order', name: 'refund.large_needs_person',
      from: 'review when all(proposal.amount greaterThan 500, context.customer.tier notEqual "premium")', to: 'review when all(proposal.amount greaterThan 300, context.customer.tier notEqual "premium")' }]);
    expect(classes(r)).toEqual({ ...EQUIVALENT, refund_order: 'stricter' });
    const e = checkExample(dir, r, 'stricter');
    expect([e.base, e.head]).toEqual(['approve', 'review']);
    expect(e.responsible.added).toContain('refund.large_needs_person (review)');
    const amount = (e.input.proposal as { amount: number }).amount;
    expect(amount > 300 && amount <= 500).toBe(true);
    const text = await arbiter('diff', '--base', 'HEAD', '--dir', dir, '--runs', '300', '--seed', '5', '--now', NOW);
    expect(text.out).toContain('~ rule `refund.large_needs_person`: review when all(proposal.amount greaterThan 500');
    expect(text.out).toContain('  stricter: ');
    expect(text.out).toContain(`    ${e.testCase.split('\n')[0]}`);
  });

  it('calls a removed reject rule looser', async () => {
    const dir = repoWith((t) => t.replace(/ {2}- id: refund\.more_than_order_total\n(.*\n){3}\n/, ''));
    const r = await diff(dir);
    expect(r.changes).toEqual([{ what: 'rule', kind: 'removed', action: 'refund_order', name: 'refund.more_than_order_total', from: 'reject when proposal.amount greaterThan context.order.total' }]);
    expect(classes(r)).toEqual({ ...EQUIVALENT, refund_order: 'looser' });
    const e = checkExample(dir, r, 'looser');
    expect(e.base).toBe('reject');
    expect(e.responsible.removed).toContain('refund.more_than_order_total (reject)');
  });

  it('calls a reordered file equivalent, and lists no change', async () => {
    const dir = repoWith((t) => {
      const [head, rules] = t.split('rules:\n');
      const [rest, risk] = rules!.split('\nrisk:');
      const items = rest!.split(/\n(?= {2}- id:)/).map((s) => s.trim());
      return `${head}rules:\n  ${items.reverse().join('\n\n  ')}\n\nrisk:${risk}`;
    });
    const r = await diff(dir);
    expect(r.changes).toEqual([]);
    expect(classes(r)).toEqual(EQUIVALENT);
  });

  it('calls a renamed rule with the same condition equivalent, and lists the rename', async () => {
    const dir = repoWith((t) => t.replace('id: refund.currency_mismatch', 'id: refund.wrong_currency'));
    const r = await diff(dir);
    expect(r.changes).toEqual([{ what: 'rule', kind: 'renamed', action: 'refund_order', name: 'refund.currency_mismatch → refund.wrong_currency', to: 'reject when proposal.currency notEqual context.order.currency' }]);
    expect(classes(r)).toEqual(EQUIVALENT);
  });

  it('compares over a decision log when given one, and refuses a revision git does not know', async () => {
    const dir = repoWith((t) => t.replace('{ fact: proposal.amount, operator: greaterThan, value: 500 }', '{ fact: proposal.amount, operator: greaterThan, value: 300 }'));
    const v2 = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
    const context = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
    const live = compiled(loadPolicyFiles(ROOT));
    const lines = [650, 400, 100].map((amount, i) => {
      const proposal = { ...v2, amount };
      return JSON.stringify({ id: `d${i}`, seq: i + 1, action: 'refund_order', recordedAt: NOW, caller: 's', idempotencyKey: null, payloadHash: 'h', request: { proposal, context }, decision: decide(live, { action: 'refund_order', proposal, context, now: NOW }) });
    });
    const log = join(dir, 'decisions.jsonl');
    writeFileSync(log, `${lines.join('\n')}\n`);
    const r = await diff(dir, '--log', log);
    expect(r.over).toEqual({ kind: 'log', file: log });
    const refund = r.behaviour.find((b) => b.action === 'refund_order')!;
    expect(refund).toMatchObject({ classification: 'stricter', compared: 3, unevaluable: 0, stricter: { count: 1, base: 'approve', head: 'review' } });
    expect((refund.stricter!.input.proposal as { amount: number }).amount).toBe(400);
    expect(r.behaviour.filter((b) => b.action !== 'refund_order').every((b) => b.compared === 0)).toBe(true);

    const bad = await arbiter('diff', '--base', 'no-such-ref', '--dir', dir);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('arbiter diff: cannot read the policy at `no-such-ref`: git ls-tree: fatal: Not a valid object name no-such-ref');
  });
});
