/**
 * Reload never swaps in a policy that approves what the served one refused: a candidate must
 * compile and pass the repository's own test cases, and every action must keep at least one.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFiles } from '../adapters/loaders/fs.js';
import { PolicyHolder } from '../server/policy.js';
import { checkOffThread } from '../server/reload/off-thread.js';
import { ROOT } from './helpers/cli.js';
import { testGate, type TestGate } from './helpers/gate.js';

const proposal = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
/** More than the order's total of 720. */
const overTotal = { action: 'refund_order', proposal: { ...proposal, proposal_id: '5f0c2a9e-8d1b-4c3e-9a7f-6b2d4e8c1a30', amount: 900 }, context };

type Status = { ok: boolean; revision: string | null; candidate: string | null; stage: string | null; cases: number | null; errors: string[] };
const reload = async (g: TestGate) => (await (await g.post('/v1/policy/reload', {})).json()) as Status;
const evaluate = async (g: TestGate) => (await (await g.post('/v1/evaluate', overTotal)).json()) as { outcome: string; reasons: { rule: string }[] };

const RULES = 'rules/refund_order.yaml';

/** What the served policy does with a refund larger than the order, and which revision serves. */
async function stillRefuses(g: TestGate, revision: string): Promise<void> {
  expect(g.deps.policy.current.revision).toBe(revision);
  const d = await evaluate(g);
  expect(d.outcome).toBe('reject');
  expect(d.reasons.map((r) => r.rule)).toContain('refund.more_than_order_total');
}

describe('reload', () => {
  it('an emptied rule file does not reload and approve everything', async () => {
    const g = testGate();
    const before = g.deps.policy.current.revision;
    g.files.set(RULES, '');
    const status = await reload(g);
    expect(status).toMatchObject({ ok: false, revision: null });
    expect(['compile', 'tests']).toContain(status.stage);
    expect(status.errors.join('\n')).toMatch(/refund_order/);
    await stillRefuses(g, before);
    const p = (await (await g.get('/v1/policy', g.keys.reader)).json()) as { revision: string; lastReload: Status };
    expect(p.revision).toBe(before);
    expect(p.lastReload).toEqual(status);
    expect(g.logs.find((l) => l.msg === 'policy reload failed; still serving the previous revision')).toMatchObject({ stage: status.stage, errors: status.errors });
  });

  it('a truncated rule file that keeps one rule but drops the reject rules is refused by the test cases', async () => {
    const g = testGate();
    const before = g.deps.policy.current.revision;
    const text = g.files.get(RULES)!;
    const review = text.slice(text.indexOf('  - id: refund.large_needs_person'), text.indexOf('  - id: refund.unusual_method'));
    g.files.set(RULES, `${text.slice(0, text.indexOf('rules:\n'))}rules:\n${review}`);
    const status = await reload(g);
    expect(status).toMatchObject({ ok: false, revision: null, stage: 'tests', candidate: expect.stringMatching(/^sha256:/) });
    expect(status.errors).toContain('rules/refund_order.test.yaml:20:5: case `a refund above the order total is rejected` failed: outcome: expected reject, got approve');
    await stillRefuses(g, before);
    const metrics = await (await g.get('/metrics')).text();
    expect(metrics).toContain('arbiter_policy_reloads_total{result="tests_failed"} 1');
  });

  it('a reload is refused when an action is left with no test case', async () => {
    const g = testGate();
    const before = g.deps.policy.current.revision;
    g.files.set('rules/refund_order.test.yaml', '');
    const status = await reload(g);
    expect(status).toMatchObject({ ok: false, stage: 'tests' });
    expect(status.errors).toContain('action `refund_order` has no test case under `rules/`, so nothing shows that it still refuses what it should');
    expect(g.deps.policy.current.revision).toBe(before);
  });

  it('swaps in a candidate whose test cases pass, and says how many ran', async () => {
    const g = testGate();
    const extra = '  - id: refund.test_only\n    outcome: review\n    when: { fact: proposal.order_id, operator: equal, value: o-1 }\n';
    g.files.set(RULES, g.files.get(RULES)!.replace('\nrisk:\n', `\n${extra}\nrisk:\n`));
    const status = await reload(g);
    expect(status).toMatchObject({ ok: true, stage: null, errors: [] });
    expect(status.cases).toBeGreaterThan(50);
    expect(g.deps.policy.current.revision).toBe(status.revision);
  });

  it('with the reload tests turned off, a candidate that compiles is swapped in unchecked', async () => {
    const g = testGate({ reloadTests: false });
    const text = g.files.get(RULES)!;
    g.files.set(RULES, `${text.slice(0, text.indexOf('rules:\n'))}rules:\n${text.slice(text.indexOf('  - id: refund.large_needs_person'), text.indexOf('  - id: refund.unusual_method'))}`);
    const status = await reload(g);
    expect(status).toMatchObject({ ok: true, cases: null });
    const d = await evaluate(g);
    expect(d.outcome).toBe('review');
    expect(d.reasons.map((r) => r.rule)).toEqual(['refund.large_needs_person']);
  });

  it('no cut of a rule file or of its tests makes a reload serve a policy that approves a refund larger than the order', async () => {
    const g = testGate();
    const served = g.deps.policy.current.revision;
    const rules = g.files.get(RULES)!;
    const tests = g.files.get('rules/refund_order.test.yaml')!;
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: rules.length }), fc.option(fc.integer({ min: 0, max: tests.length }), { nil: undefined }),
      async (cut, testCut) => {
        g.files.set(RULES, rules.slice(0, cut));
        g.files.set('rules/refund_order.test.yaml', testCut === undefined ? tests : tests.slice(0, testCut));
        const status = await reload(g);
        expect(status.ok ? status.revision : served).toBe(g.deps.policy.current.revision);
        expect((await evaluate(g)).outcome).toBe('reject');
      },
    ), { numRuns: 40 });
  });
});

describe('the policy a reload worker sends', () => {
  it('one that cannot be rebuilt for serving is refused, and the served revision stays', async () => {
    const script = new URL('./fixtures/reload-worker/other-engine.mjs', import.meta.url);
    const holder = PolicyHolder.open(loadPolicyFiles(ROOT), () => checkOffThread(ROOT, 0, { tests: true }, [], script));
    const before = holder.current;
    const status = await holder.reload();
    expect(status).toMatchObject({ ok: false, revision: null, stage: 'error' });
    expect(status.errors).toEqual([`the checked policy could not be rebuilt for serving: the policy was compiled by engine 0.0.0, not ${before.engineVersion}`]);
    expect(holder.current).toBe(before);
  });

  it('a check that passes a candidate without a policy to serve keeps the served one', async () => {
    const files = loadPolicyFiles(ROOT);
    const holder = PolicyHolder.open(files, async () => ({ verdict: { files: [...files], ok: true, revision: 'sha256:0', stage: null, cases: 1, errors: [] } }));
    const before = holder.current;
    expect(await holder.reload()).toMatchObject({ ok: false, stage: 'error', errors: ['the reload check passed but handed back no policy to serve'] });
    expect(holder.current).toBe(before);
  });
});
