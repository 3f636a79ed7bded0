/**
 * The YAML loader and compiler on random and damaged policy files: every result is either a
 * compiled policy or a list of positioned diagnostics with catalogued codes; nothing throws, and a
 * damaged file that still compiles decides without throwing, the generated code agreeing with the
 * interpreter. Damage is done to the bundled pack's own files (one action per run, to keep each
 * compile small): lines dropped, doubled, swapped or re-indented, and words replaced by operator
 * names, outcomes, facts, YAML syntax and hostile scalars.
 */
import fc from 'fast-check';
import { dump, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadPolicyFiles } from '../../adapters/loaders/fs.js';
import { compilePolicy, decide, type CompileResult } from '../../engine/index.js';
import { COMPILE_CODES } from '../../engine/errors.js';
import { ROOT } from '../helpers/cli.js';
import { fuzzParams, fuzzTimeout } from '../helpers/fuzz.js';

const PACK = loadPolicyFiles(ROOT);
const ACTIONS = ['create_support_ticket', 'send_external_email', 'modify_user_permissions', 'tier_upgrade', 'refund_order'] as const;
const NOW = '2026-11-21T10:00:00Z';

/** The pack reduced to one action, without its tests, and the cases' default input. */
function onlyAction(action: string): { files: Map<string, string>; rules: string; input: { proposal: unknown; context: unknown } } {
  const registry = load(PACK.get('rules.registry.yaml')!) as { actions: Record<string, { rules: string[] }> };
  const files = new Map([...PACK].filter(([k]) => !k.endsWith('.test.yaml') && !k.endsWith('.invariants.yaml')));
  files.set('rules.registry.yaml', dump({ ...registry, actions: { [action]: registry.actions[action] } }));
  const tests = load(PACK.get(`rules/${action}.test.yaml`)!) as { defaults: { proposal: unknown; context: unknown } };
  return { files, rules: registry.actions[action]!.rules[0]!, input: tests.defaults };
}
const BASE = new Map(ACTIONS.map((a) => [a, onlyAction(a)]));

const WORDS = ['equal', 'notEqual', 'greaterThan', 'lessThanInclusive', 'in', 'notIn', 'matches', 'contains', 'exists', 'missing', 'all', 'any', 'not', 'some', 'every',
  'approve', 'reject', 'review', 'shadow', 'proposal.amount', 'context.order.total', 'now', 'proposal', 'context', 'fact', 'value', 'when', 'outcome', 'rules', 'derive',
  'risk', 'signals', 'tiers', 'route', 'conditions', 'condition', '__proto__', 'constructor', 'null', '~', '[]', '{}', "''", '1e309', '-0', '0.1', '9007199254740993', 'NaN', '.inf',
  '&x', '*x', '<<', '!!binary', '!!js/function', '"\\u0000"', "'/(a+)+$/'", "'/[/'", '{ duration: 1d }', '{ divide: [1, 0] }', '{fact: proposal.amount}', '- x', '? k', '|', '>', '%YAML 1.1', '---', '...', '#'];

const damage = fc.array(fc.oneof(
  fc.tuple(fc.constant('drop' as const), fc.nat()),
  fc.tuple(fc.constant('double' as const), fc.nat()),
  fc.tuple(fc.constant('swap' as const), fc.nat(), fc.nat()),
  fc.tuple(fc.constant('indent' as const), fc.nat(), fc.constantFrom('', '  ', ' ', '\t', '      ')),
  fc.tuple(fc.constant('word' as const), fc.nat(), fc.constantFrom(...WORDS)),
  fc.tuple(fc.constant('char' as const), fc.nat(), fc.constantFrom(':', '-', '{', '}', '[', ']', '"', "'", '&', '*', '!', '|', '#', '\n', ' ', '\u00a0', '\ufeff')),
), { minLength: 1, maxLength: 4 });

type Edit = readonly [string, ...unknown[]];

function applyDamage(text: string, edits: readonly Edit[]): string {
  let lines = text.split('\n');
  for (const e of edits) {
    const i = (e[1] as number) % lines.length;
    if (e[0] === 'drop') lines.splice(i, 1);
    else if (e[0] === 'double') lines.splice(i, 0, lines[i]!);
    else if (e[0] === 'swap') { const j = (e[2] as number) % lines.length; [lines[i], lines[j]] = [lines[j]!, lines[i]!]; }
    else if (e[0] === 'indent') lines[i] = (e[2] as string) + lines[i]!.trimStart();
    else if (e[0] === 'word') {
      const words = [...lines[i]!.matchAll(/[A-Za-z_.]+/g)];
      if (words.length) { const w = words[(e[1] as number) % words.length]!; lines[i] = lines[i]!.slice(0, w.index) + (e[2] as string) + lines[i]!.slice(w.index + w[0].length); }
    } else {
      const t = lines.join('\n');
      const at = (e[1] as number) % (t.length + 1);
      lines = (t.slice(0, at) + (e[2] as string) + t.slice(at)).split('\n');
    }
    if (!lines.length) lines = [''];
  }
  return lines.join('\n');
}

/** A compile result is a policy or diagnostics, each with a catalogued code and a position in a file of the policy. */
function wellFormed(result: CompileResult, files: Map<string, string>): void {
  if (result.ok) return;
  expect(result.diagnostics.length).toBeGreaterThan(0);
  expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  for (const d of result.diagnostics) {
    expect(Object.keys(COMPILE_CODES)).toContain(d.code);
    expect(typeof d.message).toBe('string');
    expect(d.message.length).toBeGreaterThan(0);
    if (d.loc) expect(files.has(d.loc.file) || d.loc.file === '').toBe(true);
  }
}

describe('the rule loader and compiler on damaged and random files', () => {
  it('damaged rule files of the bundled pack: a policy or positioned diagnostics, and a policy that compiles still decides', () => {
    fc.assert(fc.property(fc.constantFrom(...ACTIONS), damage, (action, edits) => {
      const base = BASE.get(action)!;
      const files = new Map(base.files);
      files.set(base.rules, applyDamage(files.get(base.rules)!, edits));
      const result = compilePolicy(files);
      wellFormed(result, files);
      if (result.ok && result.policy.actions.has(action)) {
        const request = { action, ...base.input, now: NOW, explain: 'full' as const };
        const d = decide(result.policy, request);
        expect(['approve', 'review', 'reject']).toContain(d.outcome);
        expect(decide(result.policy, request, { evaluator: 'interpreted' })).toEqual(d);
      }
    }), fuzzParams(900));
  }, fuzzTimeout(120_000));

  it('damaged registries and contracts: a policy or positioned diagnostics', () => {
    const targets = ['rules.registry.yaml', 'schemas/refund_order/1.upgrade.yaml', 'schemas/create_support_ticket/1.schema.json'];
    fc.assert(fc.property(fc.constantFrom(...targets), damage, (target, edits) => {
      const files = new Map(BASE.get(target.includes('support') ? 'create_support_ticket' : 'refund_order')!.files);
      files.set(target, applyDamage(files.get(target)!, edits));
      wellFormed(compilePolicy(files), files);
    }), fuzzParams(600));
  }, fuzzTimeout(120_000));

  it('random YAML documents as a rule file: diagnostics, never a throw', () => {
    const base = BASE.get('create_support_ticket')!;
    const doc = fc.oneof(
      fc.anything({ maxDepth: 4, withNullPrototype: true, withObjectString: false }).map((v) => { try { return dump(v, { skipInvalid: true }); } catch { return String(v); } }),
      fc.string({ maxLength: 200 }),
      fc.record({ rules: fc.array(fc.dictionary(fc.constantFrom('id', 'outcome', 'when', 'reason', 'mode', 'x'), fc.jsonValue({ maxDepth: 3 })), { maxLength: 3 }) }).map((v) => dump(v)),
    );
    fc.assert(fc.property(doc, (text) => {
      const files = new Map(base.files);
      files.set(base.rules, text);
      const result = compilePolicy(files);
      wellFormed(result, files);
    }), fuzzParams(1200));
  }, fuzzTimeout(120_000));
});
