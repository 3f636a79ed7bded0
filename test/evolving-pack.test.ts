/**
 * The bundled pack serves two versions of `refund_order`: a refund_order@1 proposal (written before
 * refunds had a method) and a refund_order@2 one both decide correctly, through the gate and
 * through `arbiter eval`, and each decision names the version it was sent as and the one the
 * rules saw. A version the action does not serve is refused before anything is recorded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arbiter, ROOT } from './helpers/cli.js';
import { testGate } from './helpers/gate.js';

const fixture = (name: string) => join(ROOT, 'test/fixtures', name);
const v1 = JSON.parse(readFileSync(fixture('refund-proposal-v1.json'), 'utf8')) as Record<string, unknown>;
const v2 = JSON.parse(readFileSync(fixture('refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(fixture('refund-context.json'), 'utf8')) as Record<string, unknown>;
const LARGE = { kind: 'rule', rule: 'refund.large_needs_person', outcome: 'review', message: 'refund of 650 EUR for a standard customer needs a person' };
const METHOD = { kind: 'rule', rule: 'refund.unusual_method', outcome: 'review', message: 'refund by bank_transfer instead of the original payment' };

type Json = Record<string, unknown> & { error?: { code: string; message: string; details?: unknown }; trace?: { contract?: unknown[] } };
const json = async (r: Response) => (await r.json()) as Json;

describe('the bundled pack, through POST /v1/decisions', () => {
  it('serves refund_order@1 and @2, and says so', async () => {
    const g = testGate();
    const policy = await json(await g.get('/v1/policy', g.keys.reader));
    expect((policy.actions as { name: string; contract: string; versions: string[] }[]).find((a) => a.name === 'refund_order'))
      .toMatchObject({ contract: 'refund_order@2', versions: ['refund_order@1', 'refund_order@2'] });
    expect((await json(await g.get('/v1/contracts/refund_order/1', g.keys.reader))).required).not.toContain('refund_method');
    expect((await json(await g.get('/v1/contracts/refund_order/2', g.keys.reader))).required).toContain('refund_method');
  });

  it('decides a refund_order@1 proposal as the refund to the original payment it meant, naming both versions', async () => {
    const g = testGate();
    const d = await json(await g.post('/v1/decisions', { action: 'refund_order', proposal: v1, context, contract: 'refund_order@1' }));
    expect(d).toMatchObject({ outcome: 'review', reasons: [LARGE], errors: [], contract: 'refund_order@2', receivedContract: 'refund_order@1', replayed: false });
    expect(d.trace!.contract).toEqual([
      { step: 'validate', contract: 'refund_order@1', result: 'valid' },
      { step: 'upgrade', from: 'refund_order@1', to: 'refund_order@2', result: 'applied', changes: ['set `/refund_method` to "original_payment"'] },
      { step: 'validate', contract: 'refund_order@2', result: 'valid' },
    ]);
    // The log keeps the request as sent, and the decision with both versions.
    const stored = await json(await g.get(`/v1/decisions/${String(d.id)}`));
    expect(stored).toMatchObject({ request: { proposal: v1 }, receivedContract: 'refund_order@1', contract: 'refund_order@2' });
    expect(await json(await g.post('/v1/decisions', { action: 'refund_order', proposal: { ...v1, proposal_id: '2a9d3f10-6b7e-4c21-9e84-0f5d1c3b7a62', amount: 120 }, context, version: 1 })))
      .toMatchObject({ outcome: 'approve', reasons: [], receivedContract: 'refund_order@1' });
  });

  it('decides a refund_order@2 proposal by its own rules, with or without naming the version', async () => {
    const g = testGate();
    const named = await json(await g.post('/v1/decisions', { action: 'refund_order', proposal: { ...v2, refund_method: 'bank_transfer' }, context, version: 2 }));
    expect(named).toMatchObject({ outcome: 'review', reasons: [LARGE, METHOD], contract: 'refund_order@2', receivedContract: 'refund_order@2' });
    expect(named.trace).not.toHaveProperty('contract');
    const current = await json(await g.post('/v1/decisions', { action: 'refund_order', proposal: { ...v2, proposal_id: '5c7b7c3e-0d41-4a63-9c1f-3f1f0f0c2a11' }, context }));
    expect(current).toMatchObject({ outcome: 'review', reasons: [LARGE], receivedContract: 'refund_order@2' });
    // A version-1 proposal that names no version is read as the current one, and lacks its method.
    const unnamed = await json(await g.post('/v1/decisions', { action: 'refund_order', proposal: { ...v1, proposal_id: '7d2e4b90-5a1c-4f3e-8b6d-2c9a1e0f4d38' }, context }));
    expect(unnamed).toMatchObject({ outcome: 'reject', receivedContract: 'refund_order@2', errors: [{ code: 'contract.required', pointer: '/proposal/refund_method' }] });
  });

  it('answers 404 unknown_contract_version for a version it does not serve, and records nothing', async () => {
    const g = testGate();
    for (const named of [{ version: 3 }, { contract: 'refund_order@3' }, { contract: 'tier_upgrade@1' }]) {
      const r = await g.post('/v1/decisions', { action: 'refund_order', proposal: v2, context, ...named });
      expect(r.status, JSON.stringify(named)).toBe(404);
      expect((await json(r)).error).toEqual({
        code: 'unknown_contract_version',
        message: `action \`refund_order\` serves no contract version \`${'version' in named ? named.version : named.contract}\`; it serves \`refund_order@1\`, \`refund_order@2\` (current)`,
        details: { versions: ['refund_order@1', 'refund_order@2'], current: 'refund_order@2' },
      });
    }
    expect((await g.post('/v1/evaluate', { action: 'refund_order', proposal: v2, context, version: '2.0.0' })).status).toBe(404);
    expect((await g.post('/v1/decisions', { action: 'refund_order', proposal: v2, context, version: 2, contract: 'refund_order@2' })).status).toBe(400);
    expect(await g.deps.store.verify()).toEqual({ ok: true, count: 0 });
  });
});

describe('the bundled pack, through arbiter eval', () => {
  const evalOf = (proposal: string, ...more: string[]) => arbiter('eval', '--dir', ROOT, '--action', 'refund_order', '--proposal', fixture(proposal),
    '--context', fixture('refund-context.json'), '--now', '2026-11-21T10:00:00Z', ...more);

  it('decides a refund_order@1 and a refund_order@2 proposal alike, naming the versions', async () => {
    for (const [file, more, received] of [['refund-proposal-v1.json', ['--contract', 'refund_order@1'], 'refund_order@1'], ['refund-proposal-v1.json', ['--version', '1'], 'refund_order@1'], ['refund-proposal.json', [], 'refund_order@2']] as const) {
      const r = await evalOf(file, ...more);
      expect(r.err, file).toBe('');
      expect(JSON.parse(r.out), `${file} ${more.join(' ')}`).toMatchObject({ outcome: 'review', reasons: [LARGE], errors: [], contract: 'refund_order@2', receivedContract: received });
    }
    const pretty = await evalOf('refund-proposal-v1.json', '--version', '1', '--format', 'pretty');
    expect(pretty.out).toContain('contract refund_order@2 (sent as refund_order@1)');
    expect(pretty.out).toContain('contract\n  ✓ checked against refund_order@1: valid\n  ✓ upgraded from refund_order@1 to refund_order@2: applied\n      set `/refund_method` to "original_payment"\n  ✓ checked against refund_order@2: valid\n');
  });

  it('exits 2 naming the versions served for one it does not serve', async () => {
    const r = await evalOf('refund-proposal.json', '--version', '3');
    expect(r.code).toBe(2);
    expect(r.err).toBe('arbiter eval: unknown_contract_version: action `refund_order` serves no contract version `3`; it serves `refund_order@1`, `refund_order@2` (current)\n');
  });
});
