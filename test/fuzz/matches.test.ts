/**
 * `matches` on long inputs: the pack's own patterns and generated ones, against strings up to
 * 60,000 characters built from the characters the patterns care about (the shapes that make a
 * backtracking engine slow). A pattern either compiles (and then both evaluators agree on every
 * input, and nothing throws) or is refused with a positioned diagnostic: `unsafe_regex` for the
 * ones that could backtrack catastrophically, `invalid_literal` for the ones that do not parse or use a flag other than `imsu`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, decide } from '../../engine/index.js';
import { fuzzParams, fuzzTimeout } from '../helpers/fuzz.js';
import { miniFiles } from '../helpers/policy.js';

const CONTRACT = { type: 'object', additionalProperties: false, required: ['text'], properties: { text: { type: 'string' } } };
const PACK_PATTERNS = ['/\\b(lawyer|legal action|chargeback|sue)\\b/i', '/\\.(?:exe|bat|cmd|js|scr|ps1)[\\s.\\u200b-\\u200d\\u2060]+$/i', '/\\b(password|wire transfer|confidential|iban)\\b/i'];

const atom = fc.constantFrom('a', 'b', '.', '\\d', '\\w', '\\s', '[a-c]', '[^x]', '(a|b)', '(?:ab)', '\\.', 'x');
const quant = fc.constantFrom('', '*', '+', '?', '{2,5}', '*?', '+?');
const generated = fc.array(fc.tuple(atom, quant), { minLength: 1, maxLength: 5 })
  .chain((parts) => fc.tuple(fc.constant(parts.map(([a, q]) => a + q).join('')), fc.boolean(), fc.boolean(), fc.constantFrom('', 'i', 'u', 'iu', 'g', 'y', 'x')))
  .map(([body, start, end, flags]) => `/${start ? '^' : ''}${body}${end ? '$' : ''}/${flags}`);
const pattern = fc.oneof(fc.constantFrom(...PACK_PATTERNS), generated, fc.constantFrom('/(a+)+$/', '/(a|a)*b/', '/([a-z]+)*$/', '/(\\w+\\s?)+$/', '/[/', '/(?<n>a)\\k<n>/', '/a{99999}/', 'no-slashes'));
const longText = fc.tuple(fc.array(fc.constantFrom('a', 'b', 'x', ' ', '.', 'exe', 'sue', '\u200b', '0', 'A', 'é', '\n'), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 60_000 }), fc.constantFrom('', '!', 'b', '.exe ', '\n'))
  .map(([unit, n, tail]) => unit.join('').repeat(Math.ceil(n / unit.join('').length)).slice(0, n) + tail);

function policyFor(p: string) {
  return compilePolicy(miniFiles({ contract: CONTRACT, rules: { rules: [{ id: 't.match', outcome: 'review', when: { fact: 'proposal.text', operator: 'matches', value: p } }] } }));
}

describe('matches on long inputs', () => {
  it('a pattern compiles or is refused with a diagnostic; a compiled one decides long inputs, both evaluators alike', () => {
    fc.assert(fc.property(pattern, fc.array(longText, { minLength: 1, maxLength: 3 }), (p, texts) => {
      const r = policyFor(p);
      if (!r.ok) {
        expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code).every((c) => ['unsafe_regex', 'invalid_literal', 'invalid_value'].includes(c))).toBe(true);
        expect(r.diagnostics[0]!.loc?.file).toBe('rules/t.yaml');
        return;
      }
      // A pattern is `/source/flags`, or a bare source.
      const m = /^\/(.*)\/([a-z]*)$/s.exec(p);
      const re = m ? new RegExp(m[1]!, m[2]) : new RegExp(p);
      for (const text of texts) {
        const request = { action: 't', proposal: { text }, now: '2026-11-21T10:00:00Z', explain: 'off' as const };
        const d = decide(r.policy, request);
        expect(d.outcome).toBe(re.test(text) ? 'review' : 'approve');
        expect(decide(r.policy, request, { evaluator: 'interpreted' })).toEqual(d);
      }
    }), fuzzParams(1200));
  }, fuzzTimeout(120_000));
});
