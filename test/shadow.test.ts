/**
 * A shadow policy (`--shadow-dir`, gate/shadow.ts) changes nothing live: for any request and any
 * shadow (a candidate that decides otherwise, one that lacks the action, one whose evaluation
 * throws, one whose holder throws, one whose reload failed to compile), the answer, the recorded
 * decision, its review routing and the live metrics equal those of a gate with no shadow. Where it
 * decides otherwise, the record says so, the divergence metric counts it, and GET /v1/policy/shadow
 * shows it with an example.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inputArbitrary } from '../analysis/prop/run.js';
import { loadPolicyFiles } from '../adapters/loaders/fs.js';
import { compilePolicy, type CompiledPolicy } from '../engine/index.js';
import { ShadowPolicy, type ShadowSource } from '../gate/shadow.js';
import { checkHere, PolicyHolder } from '../server/policy.js';
import { ROOT } from './helpers/cli.js';
import { testGate, type TestGate } from './helpers/gate.js';

const NOW = '2026-11-21T10:00:00.000Z';
const PACK = loadPolicyFiles(ROOT);
const LIVE = compiled(PACK);

function compiled(files: ReadonlyMap<string, string>): CompiledPolicy {
  const r = compilePolicy(files);
  if (!r.ok) throw new Error('the fixture does not compile');
  return r.policy;
}

/** The pack with a refund over 100 (not 500) needing a person, and no send_external_email action. */
function candidateFiles(): Map<string, string> {
  const files = new Map(PACK);
  const refund = files.get('rules/refund_order.yaml')!;
  expect(refund).toContain('operator: greaterThan, value: 500 }');
  files.set('rules/refund_order.yaml', refund.replace('operator: greaterThan, value: 500 }', 'operator: greaterThan, value: 100 }'));
  return files;
}

const throwing = <T extends object>(what: string): T => new Proxy({} as T, { get: () => { throw new Error(`${what} fails on every read`); } });

/** A policy whose every action evaluates by throwing: decide() reports an internal error. */
function failingEvaluation(): CompiledPolicy {
  const actions = new Map([...LIVE.actions].map(([name, a]) => [name, { ...a, evaluate: () => { throw new Error('generated code failed'); } }]));
  return { ...LIVE, revision: 'sha256:failing', actions } as CompiledPolicy;
}

function withoutAction(name: string): CompiledPolicy {
  const actions = new Map(LIVE.actions);
  actions.delete(name);
  return { ...LIVE, revision: 'sha256:without', actions } as CompiledPolicy;
}

/** A holder over the candidate whose reload was handed files that do not compile: it keeps the candidate. */
async function refusedReload(): Promise<PolicyHolder> {
  const broken = new Map(candidateFiles());
  broken.set('rules/refund_order.yaml', 'rules: [ {');
  const holder = PolicyHolder.open(candidateFiles(), checkHere(() => broken, { tests: false }));
  const status = await holder.reload();
  expect(status).toMatchObject({ ok: false, stage: 'compile' });
  return holder;
}

const source = (current: () => CompiledPolicy): ShadowSource => ({ get current() { return current(); }, lastReload: null });

async function shadows(): Promise<[string, ShadowSource][]> {
  const candidate = compiled(candidateFiles());
  return [
    ['stricter candidate', source(() => candidate)],
    ['candidate without send_external_email', source(() => withoutAction('send_external_email'))],
    ['evaluation throws', source(failingEvaluation)],
    ['holder throws', source(() => { throw new Error('the shadow holder is broken'); })],
    ['policy throws on every read', source(() => throwing<CompiledPolicy>('the policy'))],
    ['reload failed to compile', await refusedReload()],
  ];
}

interface Req { action: string; proposal: unknown; context: unknown; explain: 'off' | 'summary' | 'full' }

const anyRequest: fc.Arbitrary<Req> = fc.oneof(
  ...[...LIVE.actions.values()].map((a) => fc.tuple(inputArbitrary(a, [], NOW), fc.constantFrom('off', 'summary', 'full') as fc.Arbitrary<Req['explain']>)
    .map(([x, explain]) => ({ action: a.name, proposal: x.proposal, context: x.context, explain }))),
  // Requests the contracts refuse.
  fc.record({ action: fc.constantFrom(...LIVE.actions.keys()), proposal: fc.anything(), context: fc.anything(), explain: fc.constant('summary' as const) }),
);

/** What an answer or a record says apart from the ids and sequence numbers that differ between two gates. */
function sameness(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x), (k, v: unknown) => (k === 'id' || k === 'seq' || k === 'decisionId' || k === 'policyShadow' ? undefined : v));
}

async function answer(g: TestGate, r: Req) {
  const res = await g.post('/v1/decisions', { action: r.action, proposal: r.proposal, ...(r.context === undefined ? {} : { context: r.context }), explain: r.explain }, g.keys.service);
  const body = (await res.json()) as { id?: string };
  const recorded = res.status === 200 ? await (await g.get(`/v1/decisions/${body.id}`, g.keys.reader)).json() : null;
  return { status: res.status, body, recorded };
}

/** The live metrics: everything but the shadow's own counter and the timings. */
async function liveMetrics(g: TestGate): Promise<string[]> {
  const text = await g.deps.metrics.registry.metrics();
  return text.split('\n').filter((l) => /^arbiter_(decisions|rules_fired|contract_violations|review)_/.test(l)).sort();
}

describe('shadow policy', () => {
  it('never changes a live answer, record, review routing or metric, for any request and any shadow', async () => {
    for (const [name, holder] of await shadows()) {
      const plain = testGate({ now: NOW });
      const shadowed = testGate({ now: NOW });
      shadowed.deps.shadow = new ShadowPolicy(holder as PolicyHolder, name);
      await fc.assert(fc.asyncProperty(anyRequest, async (r) => {
        const a = await answer(plain, r), b = await answer(shadowed, r);
        expect(b.status, name).toBe(a.status);
        expect(sameness(b.body), name).toEqual(sameness(a.body));
        expect(sameness(b.recorded), name).toEqual(sameness(a.recorded));
      }), { numRuns: 40, seed: 13 });
      expect(await liveMetrics(shadowed), name).toEqual(await liveMetrics(plain));
      const summary = shadowed.deps.shadow.summary();
      expect(summary.compared, name).toBeGreaterThan(0);
      // The shadows that cannot decide say so in their divergences; the others decide, whatever they decide.
      const failing = name.startsWith('holder') || name.startsWith('policy throws') || name.startsWith('candidate without');
      expect(summary.divergences.some((d) => d.to === 'error'), name).toBe(failing);
    }
  });

  it('records where the candidate decides otherwise, counts it and shows an example', async () => {
    const g = testGate({ now: NOW });
    g.deps.shadow = new ShadowPolicy(PolicyHolder.open(candidateFiles(), checkHere(candidateFiles, { tests: false })), 'candidate');
    const refund = (amount: number, id: string) => ({
      action: 'refund_order',
      proposal: { proposal_id: id, order_id: 'o-8812', amount, currency: 'EUR', reason: 'damaged', refund_method: 'original_payment' },
      context: {
        order: { total: 1000, currency: 'EUR', status: 'delivered', placed_at: '2026-11-01T12:00:00Z', delivered_at: '2026-11-10T15:30:00Z' },
        customer: { tier: 'standard', account_age_days: 400, prior_refunds_90d: 0, refunded_total_90d: '0' },
      },
    });
    const agreed = await (await g.post('/v1/decisions', refund(50, '0b2d6c1e-3f4a-4b5c-8d7e-6f8091a2b3c1'), g.keys.service)).json() as { id: string; outcome: string };
    const diverged = await (await g.post('/v1/decisions', refund(200, '0b2d6c1e-3f4a-4b5c-8d7e-6f8091a2b3c2'), g.keys.service)).json() as { id: string; outcome: string; policyShadow?: unknown };
    expect([agreed.outcome, diverged.outcome]).toEqual(['approve', 'approve']);
    expect(diverged).not.toHaveProperty('policyShadow');

    const first = await (await g.get(`/v1/decisions/${agreed.id}`, g.keys.reader)).json() as Record<string, unknown>;
    expect(first).not.toHaveProperty('policyShadow');
    const second = await (await g.get(`/v1/decisions/${diverged.id}`, g.keys.reader)).json() as { outcome: string; policyShadow: { revision: string; outcome: string; reasons: { rule?: string }[] } };
    expect(second.outcome).toBe('approve');
    expect(second.policyShadow).toMatchObject({ revision: g.deps.shadow.holder.current.revision, outcome: 'review' });
    expect(second.policyShadow.reasons.map((r) => r.rule)).toEqual(['refund.large_needs_person']);

    const metrics = await g.deps.metrics.registry.metrics();
    expect(metrics).toContain('arbiter_shadow_divergence_total{action="refund_order",from="approve",to="review"} 1');
    const summary = await (await g.get('/v1/policy/shadow', g.keys.reader)).json() as { compared: number; diverged: number; divergences: { action: string; from: string; to: string; count: number; examples: { decisionId: string }[] }[] };
    expect(summary).toMatchObject({ compared: 2, diverged: 1, divergences: [{ action: 'refund_order', from: 'approve', to: 'review', count: 1 }] });
    expect(summary.divergences[0]!.examples.map((e) => e.decisionId)).toEqual([diverged.id]);
  });

  it('reloads with the live policy, and keeps its revision when the candidate does not compile', async () => {
    const g = testGate({ now: NOW, reloadTests: false });
    let candidate = candidateFiles();
    g.deps.shadow = new ShadowPolicy(PolicyHolder.open(candidate, checkHere(() => candidate, { tests: false })), 'candidate');
    const first = g.deps.shadow.holder.current.revision;
    const refund = candidate.get('rules/refund_order.yaml')!;
    candidate = new Map(candidate).set('rules/refund_order.yaml', refund.replace('operator: greaterThan, value: 100 }', 'operator: greaterThan, value: 50 }'));
    const ok = await (await g.post('/v1/policy/reload', {})).json() as { ok: boolean; revision: string; shadow: { ok: boolean; revision: string } };
    expect(ok).toMatchObject({ ok: true, revision: LIVE.revision, shadow: { ok: true } });
    expect(ok.shadow.revision).not.toBe(first);
    expect(g.deps.shadow.holder.current.revision).toBe(ok.shadow.revision);

    candidate = new Map(candidate).set('rules/refund_order.yaml', 'rules: [ {');
    const refused = await (await g.post('/v1/policy/reload', {})).json() as { ok: boolean; revision: string; shadow: { ok: boolean; stage: string } };
    expect(refused).toMatchObject({ ok: true, revision: LIVE.revision, shadow: { ok: false, stage: 'compile' } });
    expect(g.deps.shadow.holder.current.revision).toBe(ok.shadow.revision);
    expect(g.deps.policy.current.revision).toBe(LIVE.revision);
    const summary = await (await g.get('/v1/policy/shadow', g.keys.reader)).json() as { revision: string; lastReload: { ok: boolean } };
    expect(summary).toMatchObject({ revision: ok.shadow.revision, lastReload: { ok: false } });
  });

  it('answers 404 at GET /v1/policy/shadow when no shadow runs', async () => {
    const g = testGate({ now: NOW });
    const res = await g.get('/v1/policy/shadow', g.keys.reader);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
