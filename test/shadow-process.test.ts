/**
 * `arbiter serve --shadow-dir`: the gate starts beside a candidate pack, records and counts where
 * the candidate decides otherwise, and answers as it would without it; a candidate that does not
 * compile stops the start, as the live policy does. Runs dist/ (npm run build first).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { arbiter, copyOfPack } from './helpers/cli.js';
import { killAll, postDecision, serveProcess } from './helpers/process.js';

afterEach(killAll);

function candidate(edit: (refundRules: string) => string): string {
  const dir = copyOfPack();
  const file = join(dir, 'rules/refund_order.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return dir;
}

const refund = {
  action: 'refund_order',
  proposal: { proposal_id: '1b2d6c1e-3f4a-4b5c-8d7e-6f8091a2b3c9', order_id: 'o-8812', amount: 200, currency: 'EUR', reason: 'damaged', refund_method: 'original_payment' },
  context: {
    order: { total: 1000, currency: 'EUR', status: 'delivered', placed_at: '2026-11-01T12:00:00Z', delivered_at: new Date(Date.now() - 5 * 86400_000).toISOString() },
    customer: { tier: 'standard', account_age_days: 400, prior_refunds_90d: 0, refunded_total_90d: '0' },
  },
};

describe('arbiter serve --shadow-dir', () => {
  it('records, counts and summarises where the candidate decides otherwise, and answers as the live policy does', async () => {
    const dir = candidate((t) => t.replace('operator: greaterThan, value: 500 }', 'operator: greaterThan, value: 100 }'));
    const store = `sqlite:${join(mkdtempSync(join(tmpdir(), 'arbiter-shadow-')), 'd.db')}`;
    const gate = await serveProcess(['--store', store, '--shadow-dir', dir]);
    expect(gate.stderr()).toContain('arbiter: shadowing revision sha256:');
    const answer = await postDecision(gate.url, gate.key, refund);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ outcome: 'approve', reasons: [] });
    expect(answer.body).not.toHaveProperty('policyShadow');
    const auth = { headers: { authorization: `Bearer ${gate.key}` } };
    const recorded = await (await fetch(`${gate.url}/v1/decisions/${answer.body.id as string}`, auth)).json() as { outcome: string; policyShadow: { outcome: string; reasons: { rule: string }[] } };
    expect(recorded.outcome).toBe('approve');
    expect([recorded.policyShadow.outcome, recorded.policyShadow.reasons.map((r) => r.rule)]).toEqual(['review', ['refund.large_needs_person']]);
    expect(await (await fetch(`${gate.url}/metrics`)).text()).toContain('arbiter_shadow_divergence_total{action="refund_order",from="approve",to="review"} 1');
    const summary = await (await fetch(`${gate.url}/v1/policy/shadow`, auth)).json() as { compared: number; diverged: number };
    expect(summary).toMatchObject({ compared: 1, diverged: 1 });
    gate.child.kill('SIGTERM');
    await gate.exited;
    const verified = await arbiter('audit', 'verify', '--store', store);
    expect([verified.code, verified.out]).toEqual([0, expect.stringContaining('1 record')]);
  });

  it('does not start when the candidate does not compile', async () => {
    const dir = candidate(() => 'rules: [ {');
    await expect(serveProcess(['--store', 'sqlite::memory:', '--shadow-dir', dir])).rejects.toThrow(/--shadow-dir .*: the policy does not compile/);
  });
});
