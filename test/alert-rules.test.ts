/** deploy/prometheus/arbiter.rules.yaml reads only metrics, and labels, that the gate's /metrics exposes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { testGate } from './helpers/gate.js';

const rules = load(readFileSync(join(ROOT, 'deploy/prometheus/arbiter.rules.yaml'), 'utf8')) as { groups: { rules: { alert: string; expr: string; annotations: { summary: string } }[] }[] };
const alerts = rules.groups.flatMap((g) => g.rules);
const SUFFIX = /_(bucket|sum|count)$/;

describe('the shipped alert rules', () => {
  it('cover rejections, decide and store latency, store unavailability, the review queue\'s depth and age, and delivery', () => {
    expect(alerts.map((a) => a.alert)).toEqual([
      'ArbiterRejectionRateHigh', 'ArbiterDecideLatencyHigh', 'ArbiterStoreLatencyHigh', 'ArbiterStoreUnavailable',
      'ArbiterReviewQueueDeep', 'ArbiterReviewQueueStale', 'ArbiterReviewTooSlow', 'ArbiterReviewItemsExpiring', 'ArbiterPolicyReloadFailed',
      'ArbiterDeliveryDeadLetters', 'ArbiterDeliveryFailing',
    ]);
    for (const a of alerts) expect(a.annotations.summary, a.alert).toBeTruthy();
  });

  it('use only metric names and labels that /metrics exposes', async () => {
    const g = testGate();
    expect((await g.post('/v1/decisions', { action: 'tier_upgrade', proposal: { x: 1 }, context: {} })).status).toBe(200);
    const text = await (await g.app.request('/metrics')).text();
    const exposed = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    const labelsOf = (metric: string) => new Set([...text.matchAll(new RegExp(`^${metric}(?:_bucket)?\\{([^}]*)\\}`, 'gm'))].flatMap((m) => [...m[1]!.matchAll(/(\w+)="/g)].map((l) => l[1]!)));
    for (const a of alerts) {
      const selectors = [...a.expr.matchAll(/\b(arbiter_[a-z_]+)(?:\{([^}]*)\})?/g)];
      expect(selectors.length, a.alert).toBeGreaterThan(0);
      for (const [, name, matchers] of selectors) {
        const metric = exposed.has(name!) ? name! : name!.replace(SUFFIX, '');
        expect(exposed, `${a.alert} reads ${name}`).toContain(metric);
        const labels = labelsOf(metric);
        if (!matchers || labels.size === 0) continue;
        for (const [, label] of matchers.matchAll(/(\w+)\s*!?=~?\s*"/g)) expect(labels, `${a.alert}: ${name}{${label}}`).toContain(label);
      }
    }
  });
});
