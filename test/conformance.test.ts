/**
 * Conformance cases kept as data (test/conformance/*.yaml): each file holds a small policy and
 * cases with the expected outcome, per-rule results, reasons and errors. Every case runs through
 * both evaluators, the generated code and the reference interpreter, which must agree exactly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORE_SCHEMA, load } from 'js-yaml';
import { decide, type Decision } from '../engine/index.js';
import { compileMini, type MiniPolicy } from './helpers/policy.js';

interface Case {
  name: string;
  proposal: unknown;
  context?: unknown;
  now?: string;
  expect: { outcome: string; rules?: Record<string, string>; reasons?: string[]; errors?: string[]; risk?: { score: number; tier: string }; shadow?: string };
}
interface Suite extends MiniPolicy { description: string; now?: string; cases: Case[] }

const dir = join(import.meta.dirname, 'conformance');

for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
  const suite = load(readFileSync(join(dir, file), 'utf8'), { schema: CORE_SCHEMA }) as Suite;
  describe(`${file}: ${suite.description}`, () => {
    const policy = compileMini(suite);
    for (const c of suite.cases) {
      it(c.name, () => {
        const request = {
          action: 't', proposal: c.proposal, ...(c.context !== undefined ? { context: c.context } : {}),
          now: c.now ?? suite.now ?? '2026-11-21T10:00:00Z', explain: 'full' as const,
        };
        const compiled = decide(policy, request);
        const interpreted = decide(policy, request, { evaluator: 'interpreted' });
        expect(interpreted).toEqual(compiled);
        check(compiled, c);
        // `fired` does not depend on the trace: it is the same without one.
        expect(decide(policy, { ...request, explain: 'off' }).fired).toEqual(compiled.fired);
      });
    }
  });
}

function check(d: Decision, c: Case): void {
  expect(d.outcome).toBe(c.expect.outcome);
  const firedIn = (mode: string) => (d.trace?.rules ?? []).filter((r) => r.result === 'fired' && r.mode === mode).map((r) => r.rule);
  expect(d.fired).toEqual({ enforce: firedIn('enforce'), shadow: firedIn('shadow') });
  if (c.expect.rules) {
    const got = Object.fromEntries((d.trace?.rules ?? []).map((r) => [r.rule, r.result]));
    expect(got).toEqual(c.expect.rules);
  }
  if (c.expect.reasons) expect(d.reasons.map((r) => r.message)).toEqual(c.expect.reasons);
  expect(d.errors.map((e) => e.code).sort()).toEqual([...(c.expect.errors ?? [])].sort());
  if (c.expect.risk) expect({ score: d.risk.score, tier: d.risk.tier }).toEqual(c.expect.risk);
  if (c.expect.shadow) expect(d.shadow.outcome).toBe(c.expect.shadow);
}
