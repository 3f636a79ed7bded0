/**
 * arbiter replay: a log recorded under the bundled pack, replayed against a copy with planted
 * changes, reports exactly the flips those changes make, which the test works out on its own
 * from each record's reasons and facts (not by deciding again): a review threshold tightened
 * (approve → review), a reject rule removed (reject → review or approve), a review rule made a
 * reject rule (review → reject, beside the reviewers' verdicts), and a contract version no longer
 * served (unevaluable, listed by id).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFiles } from '../adapters/loaders/fs.js';
import { openSqlite } from '../adapters/stores/sqlite.js';
import type { ReplayReport } from '../analysis/replay/run.js';
import { exampleRequests } from '../bench/replay/requests.js';
import { compilePolicy, decide, type CompiledPolicy, type Decision, type Outcome } from '../engine/index.js';
import { arbiter, copyOfPack, ROOT } from './helpers/cli.js';
import { testGate } from './helpers/gate.js';

const NOW = '2026-11-21T10:00:00.000Z';
const SEVERITY: Record<Outcome, number> = { approve: 0, review: 1, reject: 2 };
const fixture = (name: string) => JSON.parse(readFileSync(join(ROOT, 'test/fixtures', name), 'utf8')) as Record<string, unknown>;

function compiled(dir: string): CompiledPolicy {
  const r = compilePolicy(loadPolicyFiles(dir));
  if (!r.ok) throw new Error('the pack does not compile');
  return r.policy;
}

interface Rec { id: string; seq: number; action: string; recordedAt: string; caller: string; idempotencyKey: null; payloadHash: string; request: { proposal: unknown; context: unknown }; decision: Decision }

/** A log of the bundled pack's decisions, with refund_order@1 proposals and review verdicts among them, as `audit export` writes it. */
function recordedLog(): { records: Rec[]; lines: string[] } {
  const live = compiled(ROOT);
  const requests = exampleRequests(live, 600, 11, NOW).map((r) => ({ ...r, contract: undefined as string | undefined }));
  for (let i = 0; i < 3; i++) requests.push({ action: 'refund_order', proposal: { ...fixture('refund-proposal-v1.json'), amount: 100 + i }, context: fixture('refund-context.json'), contract: 'refund_order@1' });
  const records = requests.map((r, i): Rec => ({
    id: `d${i}`, seq: i + 1, action: r.action, recordedAt: new Date(Date.parse(NOW) + i * 1000).toISOString(), caller: 'svc', idempotencyKey: null, payloadHash: 'h',
    request: { proposal: r.proposal, context: r.context ?? null },
    decision: decide(live, { action: r.action, proposal: r.proposal, ...(r.context ? { context: r.context } : {}), ...(r.contract ? { contract: r.contract } : {}), now: NOW }),
  }));
  return { records, lines: records.map((r) => JSON.stringify(r)) };
}

/** The copy of the pack with the planted changes. */
function candidatePack(): string {
  const dir = copyOfPack();
  const edit = (file: string, from: string | RegExp, to: string) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const changed = text.replace(from, to);
    expect(changed, `${file} changed`).not.toBe(text);
    writeFileSync(join(dir, file), changed);
  };
  edit('rules/create_support_ticket.yaml', 'open_tickets, operator: greaterThanInclusive, value: 5 }', 'open_tickets, operator: greaterThanInclusive, value: 2 }');
  edit('rules/tier_upgrade.yaml', / {2}- id: upgrade\.account_closed_or_suspended\n(.*\n){3}\n/, '');
  edit('rules/tier_upgrade.yaml', 'id: upgrade.balance_past_due\n    outcome: review', 'id: upgrade.balance_past_due\n    outcome: reject');
  edit('rules.registry.yaml', /^ {4}accepts: \[ refund_order@1 \].*\n/m, '');
  return dir;
}

/** What the planted changes do to one recorded decision, from its reasons and facts. */
function expected(r: Rec): Outcome | 'unevaluable' {
  const d = r.decision;
  if (d.receivedContract === 'refund_order@1') return 'unevaluable';
  if (d.reasons[0]?.kind === 'contract') return d.outcome;
  const outcomes = d.reasons.flatMap((x) => {
    if (x.rule === 'upgrade.account_closed_or_suspended') return [];
    if (x.rule === 'upgrade.balance_past_due') return ['reject' as const];
    return [x.outcome];
  });
  const tickets = (r.request.context as { customer?: { open_tickets?: number } } | null)?.customer?.open_tickets;
  if (r.action === 'create_support_ticket' && tickets !== undefined && tickets >= 2) outcomes.push('review');
  return outcomes.reduce<Outcome>((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), 'approve');
}

describe('arbiter replay', () => {
  const { records, lines } = recordedLog();
  const dir = candidatePack();
  const file = join(copyOfPack(), 'decisions.jsonl');

  it('reports nothing against the policy the log was recorded under', async () => {
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await arbiter('replay', '--dir', ROOT, '--from', file, '--format', 'json', '--fail-on', 'any');
    const report = JSON.parse(r.out) as ReplayReport;
    expect(r.code).toBe(0);
    expect(report).toMatchObject({ replayed: records.length, unchanged: records.length, flips: [], firing: [], unevaluable: [] });
  });

  it('reports exactly the planted flips, toward approve first, with the rules that made them and the reviewers\' verdicts', async () => {
    // Planted: a decision's records before its review verdicts; the first two review → reject flips had been approved by a reviewer.
    const want = new Map<string, { from: Outcome; to: Outcome; ids: string[] }>();
    const unevaluable: string[] = [];
    for (const rec of records) {
      const e = expected(rec);
      if (e === 'unevaluable') { unevaluable.push(rec.id); continue; }
      if (e === rec.decision.outcome) continue;
      const k = `${rec.action} ${rec.decision.outcome}→${e}`;
      if (!want.has(k)) want.set(k, { from: rec.decision.outcome, to: e, ids: [] });
      want.get(k)!.ids.push(rec.id);
    }
    const approved = want.get('tier_upgrade review→reject')!.ids.slice(0, 2);
    const verdicts = approved.map((id, i) => JSON.stringify({ id: `v${i}`, seq: records.length + i + 1, kind: 'review', action: 'tier_upgrade', recordedAt: NOW, caller: 'alice', idempotencyKey: null, decisionId: id, review: { verdict: 'approve', outcome: 'approve', proposalHash: 'h' } }));
    writeFileSync(file, `${[...lines, ...verdicts].join('\n')}\n`);

    // Each planted change shows up.
    expect([...want.keys()].sort()).toEqual(expect.arrayContaining(['create_support_ticket approve→review', 'tier_upgrade review→reject', 'tier_upgrade reject→review']));
    const r = await arbiter('replay', '--dir', dir, '--from', file, '--format', 'json', '--examples', '2');
    const report = JSON.parse(r.out) as ReplayReport;
    expect(r.code).toBe(0);
    expect(report.flips.map((f) => `${f.action} ${f.from}→${f.to} ${f.count}`).sort())
      .toEqual([...want].map(([k, w]) => `${k} ${w.ids.length}`).sort());
    // Toward approve first.
    const firstToward = report.flips.findIndex((f) => f.direction === 'toward-reject');
    expect(report.flips.slice(firstToward).every((f) => f.direction === 'toward-reject')).toBe(true);
    expect(report.flips.slice(0, firstToward).length).toBeGreaterThan(0);
    for (const f of report.flips) {
      const w = want.get(`${f.action} ${f.from}→${f.to}`)!;
      expect(f.examples.length).toBe(Math.min(2, w.ids.length));
      for (const e of f.examples) {
        expect(w.ids).toContain(e.id);
        expect([e.recorded.outcome, e.candidate.outcome]).toEqual([f.from, f.to]);
        expect(e.candidate.trace?.level).toBe('summary');
      }
    }
    const tightened = report.flips.find((f) => f.action === 'create_support_ticket')!;
    expect(tightened.examples[0]!.responsible).toEqual({ added: ['ticket.many_open (review)'], removed: [] });
    const stricter = report.flips.find((f) => f.action === 'tier_upgrade' && f.to === 'reject')!;
    expect(stricter.verdicts).toEqual({ approve: 2 });
    expect(stricter.examples.map((e) => e.verdict)).toEqual([{ verdict: 'approve', by: 'alice', at: NOW }, { verdict: 'approve', by: 'alice', at: NOW }]);
    expect(stricter.examples[0]!.responsible.added).toContain('upgrade.balance_past_due (reject)');
    expect(report.flips.find((f) => f.action === 'tier_upgrade' && f.from === 'reject')!.examples[0]!.responsible.removed).toContain('upgrade.account_closed_or_suspended (reject)');
    expect(report.unevaluable).toEqual([{ action: 'refund_order', code: 'unknown_contract_version', ids: unevaluable,
      message: 'action `refund_order` serves no contract version `refund_order@1`; it serves `refund_order@2` (current)' }]);
    // The removed rule stops firing on every decision it fired on; the tightened one fires on more.
    const fired = (rule: string) => records.filter((x) => x.decision.fired.enforce.includes(rule) && x.decision.receivedContract !== 'refund_order@1').length;
    expect(report.firing.find((f) => f.rule === 'upgrade.account_closed_or_suspended')).toEqual({ action: 'tier_upgrade', rule: 'upgrade.account_closed_or_suspended', started: 0, stopped: fired('upgrade.account_closed_or_suspended') });
    expect(report.firing.find((f) => f.rule === 'ticket.many_open')!.started).toBeGreaterThanOrEqual(tightened.count);
    expect(report.verdictsRead).toBe(2);

    const any = await arbiter('replay', '--dir', dir, '--from', file, '--fail-on', 'toward-approve');
    expect(any.code).toBe(1);
    expect(any.out).toContain('tier_upgrade           reject→review');
    expect(any.out).toContain(`reviewers had said: 2 approve`);
    const md = await arbiter('replay', '--dir', dir, '--from', file, '--format', 'markdown', '--action', 'create_support_ticket');
    expect(md.out.split('\n')[0]).toBe(`### Replay: ${tightened.count} flips (0 toward approve) and 0 unevaluable in ${records.filter((x) => x.action === 'create_support_ticket').length} decisions replayed; ${records.filter((x) => x.action === 'create_support_ticket').length - tightened.count} unchanged`);
    expect(md.out).toContain(`| \`create_support_ticket\` | approve → review | ${tightened.count} | toward reject |  |`);
  });

  it('filters by time, and fails on any flip or unevaluable decision with --fail-on any', async () => {
    writeFileSync(file, `${lines.join('\n')}\n`);
    const until = records[300]!.recordedAt;
    const r = await arbiter('replay', '--dir', dir, '--from', file, '--format', 'json', '--until', until, '--fail-on', 'any');
    const report = JSON.parse(r.out) as ReplayReport;
    expect(report.replayed).toBe(300);
    expect(report.unevaluable).toEqual([]);
    expect(r.code).toBe(report.flips.length ? 1 : 0);
    const since = await arbiter('replay', '--dir', dir, '--from', file, '--format', 'json', '--since', records[records.length - 3]!.recordedAt, '--fail-on', 'any');
    expect(JSON.parse(since.out)).toMatchObject({ replayed: 3, flips: [], unevaluable: [{ code: 'unknown_contract_version' }] });
    expect(since.code).toBe(1);
  });

  it('reads a store as its export reads it', async () => {
    const store = join(copyOfPack(), 'd.db');
    const g = testGate({ store: openSqlite(store) });
    for (const r of exampleRequests(compiled(ROOT), 40, 3, new Date().toISOString())) {
      expect((await g.post('/v1/decisions', r, g.keys.service)).status).toBe(200);
    }
    await g.deps.store.close();
    const exported = join(copyOfPack(), 'd.jsonl');
    expect((await arbiter('audit', 'export', '--store', `sqlite:${store}`, '--out', exported)).code).toBe(0);
    const fromStore = await arbiter('replay', '--dir', dir, '--store', `sqlite:${store}`, '--format', 'json');
    const fromFile = await arbiter('replay', '--dir', dir, '--from', exported, '--format', 'json');
    expect(JSON.parse(fromStore.out)).toEqual(JSON.parse(fromFile.out));
    expect((JSON.parse(fromStore.out) as ReplayReport).replayed).toBe(40);
  });

  it('refuses what it cannot read, and says where', async () => {
    writeFileSync(file, `${lines[0]}\nnot json\n`);
    expect(await arbiter('replay', '--dir', dir, '--from', file)).toMatchObject({ code: 1, err: expect.stringContaining(`${file}:2: not a record of the decision log`) });
    expect(await arbiter('replay', '--dir', dir)).toMatchObject({ code: 2, err: expect.stringContaining('`--store URL` or `--from decisions.jsonl`') });
    expect(await arbiter('replay', '--dir', dir, '--store', `sqlite:${join(dir, 'none.db')}`)).toMatchObject({ code: 1, out: '' });
  });
});
