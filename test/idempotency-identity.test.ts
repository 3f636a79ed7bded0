/**
 * What an idempotency key identifies. By default a key read from the proposal names one proposal
 * whatever its action (`scope: global`), and a request is the same request when its proposal is
 * (`match: proposal`): a retry after a crash carries a context the service looked up again, and
 * a later time, and must get the first decision, not a 409 and not a second decision.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { testGate } from './helpers/gate.js';

const proposal = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, Record<string, unknown>>;
const id = String(proposal.proposal_id);
const refund = (over: Record<string, unknown> = {}) => ({ action: 'refund_order', proposal, context, ...over });
const upgrade = {
  action: 'tier_upgrade',
  proposal: { proposal_id: id, customer_id: 'c-1019', current_tier: 'basic', target_tier: 'standard', effective_date: '2026-11-22T00:00:00Z', justification: 'more seats' },
  context: { customer: { tier: 'basic', account_status: 'active', balance_past_due: 0, signup_date: '2024-03-01' }, upgrades_last_30d: 0 },
};

type Json = Record<string, unknown> & { error?: { code: string; message: string; details?: unknown } };
const json = async (r: Response) => (await r.json()) as Json;

/** The bundled pack with refund_order's `idempotency` settings replaced. */
function gateWith(settings: string) {
  const files = new Map(testGate().files);
  const registry = files.get('rules.registry.yaml')!;
  const refund = '    idempotency: { key: /proposal_id }\n    default: approve\n    review:\n      queue: payments';
  expect(registry).toContain(refund);
  files.set('rules.registry.yaml', registry.replace(refund, `    idempotency: ${settings}\n    default: approve\n    review:\n      queue: payments`));
  return testGate({ files });
}

describe('a retry with the same proposal', () => {
  it('gets the first decision when the service looked the context up again, later', async () => {
    const g = testGate();
    const first = await json(await g.post('/v1/decisions', refund()));
    expect(first).toMatchObject({ outcome: 'review', replayed: false });
    // Decided afresh, a premium customer's refund would be approved; the retry must not be.
    const refreshed = { ...context, customer: { ...context.customer, tier: 'premium', prior_refunds_90d: 2 } };
    const retry = await g.post('/v1/decisions', refund({ context: refreshed }));
    expect(retry.status).toBe(200);
    expect(await json(retry)).toEqual({ ...first, replayed: true });
    expect(await g.deps.store.verify()).toEqual({ ok: true, count: 1 });
    // What the service sent first is what the log keeps.
    expect((await json(await g.get(`/v1/decisions/${String(first.id)}`))).request).toEqual({ proposal, context });
  });

  it('is a conflict when the proposal itself changed', async () => {
    const g = testGate();
    const first = await json(await g.post('/v1/decisions', refund()));
    const changed = await g.post('/v1/decisions', refund({ proposal: { ...proposal, amount: 649 } }));
    expect(changed.status).toBe(409);
    expect((await json(changed)).error).toEqual({
      code: 'idempotency_conflict', message: `idempotency key \`${id}\` was used for a different refund_order proposal`, details: { decisionId: first.id },
    });
  });

  it('is a conflict when the context changed and the action compares whole requests (`match: request`)', async () => {
    const g = gateWith('{ key: /proposal_id, match: request }');
    await g.post('/v1/decisions', refund());
    expect((await g.post('/v1/decisions', refund())).status).toBe(200);
    const refreshed = await g.post('/v1/decisions', refund({ context: { ...context, customer: { ...context.customer, tier: 'premium' } } }));
    expect(refreshed.status).toBe(409);
    expect((await json(refreshed)).error!.code).toBe('idempotency_conflict');
  });

  it('is a conflict when it names another contract version: the version is part of what the proposal means', async () => {
    const g = testGate();
    const v1 = Object.fromEntries(Object.entries(proposal).filter(([k]) => k !== 'refund_method'));
    const first = await json(await g.post('/v1/decisions', refund({ proposal: v1, contract: 'refund_order@1' })));
    expect(first).toMatchObject({ outcome: 'review', receivedContract: 'refund_order@1', contract: 'refund_order@2' });
    expect(await json(await g.post('/v1/decisions', refund({ proposal: v1, contract: 'refund_order@1' })))).toEqual({ ...first, replayed: true });
    expect((await g.post('/v1/decisions', refund({ proposal: v1 }))).status).toBe(409);
  });
});

describe('a proposal id under another action', () => {
  it('is a 409: by default a key read from the proposal is claimed for every action', async () => {
    const g = testGate();
    const first = await json(await g.post('/v1/decisions', refund()));
    const other = await g.post('/v1/decisions', upgrade);
    expect(other.status).toBe(409);
    expect((await json(other)).error).toEqual({
      code: 'idempotency_conflict', message: `idempotency key \`${id}\` was used for a different refund_order proposal`, details: { decisionId: first.id },
    });
    // A caller that may not read the first decision learns only that the key is taken.
    const stranger = await g.post('/v1/decisions', upgrade, g.keys.slow);
    expect((await json(stranger)).error).toEqual({ code: 'idempotency_conflict', message: `idempotency key \`${id}\` is held by a refund_order decision of another API key` });
    expect(await g.deps.store.verify()).toEqual({ ok: true, count: 1 });
  });

  it('is a decision of its own when the action keeps its keys to itself (`scope: action`)', async () => {
    const g = gateWith('{ key: /proposal_id, scope: action }');
    expect(await json(await g.post('/v1/decisions', refund()))).toMatchObject({ replayed: false, idempotencyKey: id });
    expect(await json(await g.post('/v1/decisions', upgrade))).toMatchObject({ action: 'tier_upgrade', replayed: false, idempotencyKey: id });
    expect(await g.deps.store.verify()).toEqual({ ok: true, count: 2 });
  });

  it('an Idempotency-Key header is per action unless the action says `scope: global`', async () => {
    const headerOnly = (settings: string) => {
      const files = new Map(testGate().files);
      files.set('rules.registry.yaml', files.get('rules.registry.yaml')!.replaceAll('    idempotency: { key: /proposal_id }', `    idempotency: ${settings}`));
      return testGate({ files });
    };
    const h = { 'idempotency-key': 'call-1' };
    const perAction = headerOnly('{}');
    expect((await json(await perAction.post('/v1/decisions', refund(), perAction.keys.admin, h))).replayed).toBe(false);
    expect((await json(await perAction.post('/v1/decisions', upgrade, perAction.keys.admin, h))).replayed).toBe(false);
    const global = headerOnly('{ scope: global }');
    expect((await json(await global.post('/v1/decisions', refund(), global.keys.admin, h))).replayed).toBe(false);
    expect((await global.post('/v1/decisions', upgrade, global.keys.admin, h)).status).toBe(409);
  });
});
