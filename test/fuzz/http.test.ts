/**
 * The HTTP API on generated requests: envelopes built from the bundled actions' contracts and then
 * damaged (members dropped, retyped, added; the action renamed; the body truncated), sent to the
 * decision, evaluate and review routes. Every answer is a 200 or a catalogued 4xx, never a 5xx; a
 * 4xx records nothing; a recorded decision whose proposal breaks its contract is a reject naming
 * the errors; the same request again replays the same decision.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryFor } from '../../analysis/prop/arbitraries.js';
import { HTTP_ERRORS } from '../../server/errors.js';
import { fuzzParams, fuzzTimeout } from '../helpers/fuzz.js';
import { testGate } from '../helpers/gate.js';

describe('the HTTP API on generated requests', () => {
  const g = testGate({ now: '2026-11-21T10:00:00Z', limits: { rate: { perSecond: 1e9, burst: 1e9 } } });
  const actions = [...g.deps.policy.current.actions.values()];
  const valid = fc.constantFrom(...actions).chain((a) => fc.record({ action: fc.constant(a.name), proposal: arbitraryFor(a.contract.schema), context: arbitraryFor(a.context!.schema) }));
  const damaged = fc.tuple(valid, fc.array(fc.tuple(fc.constantFrom('drop', 'retype', 'add', 'rename', 'envelope'), fc.nat(), fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 }))
    .map(([env, edits]) => {
      const e = structuredClone(env) as Record<string, unknown> & { proposal: Record<string, unknown> };
      for (const [how, i, v] of edits) {
        const isObject = e.proposal !== null && typeof e.proposal === 'object' && !Array.isArray(e.proposal);
        if (!isObject && (how === 'drop' || how === 'retype' || how === 'add')) continue;
        const keys = isObject ? Object.keys(e.proposal) : [];
        const k = keys[i % Math.max(1, keys.length)] ?? 'x';
        if (how === 'drop') delete e.proposal[k];
        else if (how === 'retype') e.proposal[k] = v;
        else if (how === 'add') e.proposal[['__proto__', 'constructor', 'extra', 'toString'][i % 4]!] = v;
        else if (how === 'rename') e.action = ['__proto__', 'refund', `${String(e.action)}x`, ''][i % 4];
        else e[['proposal', 'context', 'explain', 'answerTrace', 'contract'][i % 5]!] = v;
      }
      return e;
    });
  const body = fc.oneof(
    { weight: 3, arbitrary: damaged.map((e) => JSON.stringify(e)) },
    { weight: 1, arbitrary: fc.tuple(valid, fc.nat()).map(([e, n]) => { const t = JSON.stringify(e); return t.slice(0, n % t.length); }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  );
  const routes = fc.constantFrom('/v1/decisions', '/v1/decisions', '/v1/evaluate', '/v1/reviews/batch');

  it('200 or a catalogued 4xx; a refusal records nothing; a broken proposal is a reject; a repeat replays', async () => {
    const newest = async () => ((await (await g.get('/v1/decisions?limit=1')).json()) as { items: { seq: number }[] }).items[0]?.seq ?? 0;
    await fc.assert(fc.asyncProperty(routes, body, async (path, text) => {
      const before = await newest();
      const r = await g.post(path, text);
      const answer = (await r.json()) as Record<string, unknown> & { error?: { code: keyof typeof HTTP_ERRORS } };
      expect(r.status, JSON.stringify(answer)).toBeLessThan(500);
      if (r.status !== 200) {
        expect(Object.keys(HTTP_ERRORS)).toContain(answer.error!.code);
        expect(HTTP_ERRORS[answer.error!.code].status).toBe(r.status);
        expect(await newest()).toBe(before);
        return;
      }
      if (path !== '/v1/decisions') return;
      const sent = JSON.parse(text) as { action: string; proposal: unknown; context?: unknown };
      const action = g.deps.policy.current.actions.get(sent.action)!;
      if (answer.replayed === false) expect(await newest()).toBe(before + 1);
      if (action.contract.validate(sent.proposal, '/proposal').length) expect(answer.outcome).toBe('reject');
      const again = (await (await g.post(path, text)).json()) as Record<string, unknown>;
      if (answer.idempotencyKey !== null) expect({ ...again, replayed: false }).toEqual({ ...answer, replayed: false });
    }), fuzzParams(2400));
  }, fuzzTimeout());
});
