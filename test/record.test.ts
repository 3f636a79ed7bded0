/**
 * The decision log's lean record: what it leaves out (a shadow equal to the live result, member
 * names in the trace, a second serialization of the request) comes back on read, so every
 * decision reads back as it was decided, and records written whole read the same way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CORE_SCHEMA, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { findTestFiles, loadPolicyFiles } from '../adapters/loaders/fs.js';
import { recordText } from '../adapters/stores/chain.js';
import { decisionTexts, payloadHash, readRecord } from '../adapters/stores/record.js';
import type { AppendItem } from '../adapters/stores/store.js';
import { parseTestFile } from '../analysis/policy-tests/cases.js';
import { Diagnostics } from '../engine/errors.js';
import { compilePolicy, decide, type CompiledPolicy, type Decision, type ExplainLevel } from '../engine/index.js';
import { compactTrace, expandTrace } from '../engine/trace/compact.js';
import { compileMini, type MiniPolicy } from './helpers/policy.js';

interface Request { action: string; proposal: unknown; context?: unknown; now: string }

/** Every case of the conformance suites and of the bundled pack's tests: their policies and requests. */
function corpus(): { policy: CompiledPolicy; request: Request }[] {
  const out: { policy: CompiledPolicy; request: Request }[] = [];
  const dir = join(import.meta.dirname, 'conformance');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const suite = load(readFileSync(join(dir, file), 'utf8'), { schema: CORE_SCHEMA }) as MiniPolicy & { now?: string; cases: { proposal: unknown; context?: unknown; now?: string }[] };
    const policy = compileMini(suite);
    for (const c of suite.cases) out.push({ policy, request: { action: 't', proposal: c.proposal, ...(c.context !== undefined ? { context: c.context } : {}), now: c.now ?? suite.now ?? '2026-11-21T10:00:00Z' } });
  }
  const root = join(import.meta.dirname, '..');
  const compiled = compilePolicy(loadPolicyFiles(root));
  if (!compiled.ok) throw new Error('the bundled pack does not compile');
  for (const path of findTestFiles(root)) {
    const file = parseTestFile(path, readFileSync(join(root, path), 'utf8'), new Diagnostics());
    for (const c of file?.cases ?? []) out.push({ policy: compiled.policy, request: { action: c.action, proposal: c.proposal, ...(c.context !== undefined ? { context: c.context } : {}), now: c.now } });
  }
  return out;
}

const CASES = corpus();
const LEVELS: ExplainLevel[] = ['off', 'summary', 'full'];
/** A decision as it travels: JSON. */
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

function stored(d: Decision, body: string): string {
  const it: AppendItem = {
    id: 'd-1', action: d.action, outcome: d.outcome, idempotencyKey: 'k-1', recordedAt: d.now, caller: 'svc', requestJson: body, decisionJson: decisionTexts(d).record, ttlMs: 1000,
  };
  return recordText(it, 7, payloadHash(d.action, body));
}

describe('the lean decision record', () => {
  it(`reads back every decision of ${CASES.length} cases, at every trace level, as it was decided`, () => {
    for (const { policy, request } of CASES) {
      for (const explain of LEVELS) {
        const d = decide(policy, { ...request, explain });
        const body = JSON.stringify({ action: request.action, proposal: request.proposal, ...(request.context !== undefined ? { context: request.context } : {}), explain });
        const r = readRecord(stored(d, body));
        expect(r.decision).toEqual(asJson(d));
        expect(r.request).toEqual(asJson({ proposal: request.proposal, context: request.context ?? null }));
        expect(r).toMatchObject({ id: 'd-1', seq: 7, action: d.action, recordedAt: d.now, caller: 'svc', idempotencyKey: 'k-1' });
      }
    }
  });

  it('gives answers the whole decision, with or without its trace', () => {
    for (const { policy, request } of CASES) {
      const d = decide(policy, { ...request, explain: 'summary' });
      const texts = decisionTexts(d);
      expect(JSON.parse(`{${texts.members(true)}}`)).toEqual(asJson(d));
      const { trace, ...rest } = d;
      expect(trace).toBeDefined();
      expect(JSON.parse(`{${texts.members(false)}}`)).toEqual(asJson(rest));
    }
  });

  it('keeps the shadow result only when it differs from the live one', () => {
    let differing = 0;
    for (const { policy, request } of CASES) {
      const d = decide(policy, request);
      const kept = 'shadow' in (JSON.parse(decisionTexts(d).record) as object);
      const differs = JSON.stringify(d.shadow) !== JSON.stringify({ outcome: d.outcome, reasons: d.reasons });
      expect(kept).toBe(differs);
      if (differs) differing++;
    }
    expect(differing).toBeGreaterThan(0);
  });

  it('records the request body as received, and hashes the payload whatever its spelling', () => {
    const policy = CASES.at(-1)!.policy;
    const d = decide(policy, { ...CASES.at(-1)!.request });
    const body = ' {"action": "x", "proposal": {"b": 1.0, "a": [1e0]}, "explain": "summary"} ';
    const text = stored(d, body);
    expect(text).toContain(`"request":${body}`);
    expect(readRecord(text).request).toEqual({ proposal: { b: 1, a: [1] }, context: null });
    expect(payloadHash('x', body)).toBe(payloadHash('x', '{"proposal":{"a":[1],"b":1},"context":null}'));
    expect(payloadHash('x', body)).not.toBe(payloadHash('y', body));
  });

  it('reads records written whole, before the lean form, the same way', () => {
    for (const { policy, request } of CASES) {
      const d = decide(policy, request);
      const whole = `{"id":"d-1","seq":7,"action":${JSON.stringify(d.action)},"recordedAt":${JSON.stringify(d.now)},"caller":"svc","idempotencyKey":"k-1","payloadHash":"h",`
        + `"request":${JSON.stringify({ proposal: request.proposal, context: request.context ?? null })},"decision":${JSON.stringify(d)}}`;
      const body = JSON.stringify({ action: request.action, proposal: request.proposal, ...(request.context !== undefined ? { context: request.context } : {}) });
      expect(readRecord(whole)).toEqual({ ...readRecord(stored(d, body)), payloadHash: 'h' });
    }
  });
});

describe('the compact trace', () => {
  it('expands to exactly the trace it was made from, every kind of node included', () => {
    const kinds = new Set<string>();
    const walk = (n: { kind: string; items?: unknown[]; item?: unknown; elements?: { where: unknown }[] }): void => {
      kinds.add(n.kind);
      for (const x of [...(n.items ?? []), ...(n.item ? [n.item] : []), ...(n.elements ?? []).map((e) => e.where)]) walk(x as typeof n);
    };
    for (const { policy, request } of CASES) {
      const trace = decide(policy, { ...request, explain: 'full' }).trace!;
      expect(expandTrace(JSON.parse(JSON.stringify(compactTrace(trace))) as ReturnType<typeof compactTrace>)).toEqual(asJson(trace));
      for (const r of [...trace.rules, ...trace.signals]) walk(r.when);
    }
    expect([...kinds].sort()).toEqual(['all', 'any', 'condition', 'every', 'leaf', 'none', 'not', 'some']);
  });

  it('keeps any value a leaf read or compared, and tells an absent value from null', () => {
    const json = fc.jsonValue().map(asJson);
    const leaf = fc.record({
      kind: fc.constant('leaf' as const), result: fc.constantFrom(true, false, 'unknown' as const, 'error' as const, 'not_evaluated' as const),
      label: fc.string(), fact: fc.string(), value: json, operator: fc.string(), expectedFact: fc.string(), expected: json,
      error: fc.record({ code: fc.string(), message: fc.string() }),
    }, { requiredKeys: ['kind', 'result', 'fact', 'operator'] });
    fc.assert(fc.property(fc.array(leaf, { maxLength: 4 }), (items) => {
      const trace = { level: 'full' as const, rules: [{ rule: 'r', outcome: 'review' as const, mode: 'enforce' as const, result: 'fired' as const, when: { kind: 'all' as const, result: true, items } }], signals: [] };
      expect(expandTrace(JSON.parse(JSON.stringify(compactTrace(trace))) as ReturnType<typeof compactTrace>)).toEqual(asJson(trace));
    }));
  });

  it('is smaller than the trace', () => {
    const d = decide(CASES.at(-1)!.policy, { ...CASES.at(-1)!.request, explain: 'full' });
    expect(JSON.stringify(compactTrace(d.trace!)).length).toBeLessThan(JSON.stringify(d.trace).length * 0.7);
  });
});
