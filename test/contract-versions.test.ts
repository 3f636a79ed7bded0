/**
 * Contract versions served side by side: which version a request is read as, the declared
 * upgrade that brings an older proposal to the current version, the checks before and after it,
 * and what the decision and its trace say about each step.
 */
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { compilePolicy, decide, DecideError, formatDiagnostic, type CompiledPolicy, type DecideRequest } from '../engine/index.js';
import { SCHEMA_2020 } from './helpers/policy.js';

const V1 = {
  type: 'object', additionalProperties: false, required: ['id', 'amount', 'comment'],
  properties: {
    id: { type: 'string' }, amount: { type: 'number' }, comment: { type: 'string' }, reason: { enum: ['broken', 'late'] },
    email: { type: 'string' }, legacy: { type: 'boolean' }, schema_version: { const: '1.0.0' },
  },
};
const V2 = {
  type: 'object', additionalProperties: false, required: ['id', 'amount', 'note', 'method'],
  properties: {
    id: { type: 'string' }, amount: { type: 'number', maximum: 1000 }, note: { type: 'string' }, reason: { enum: ['damaged', 'late'] },
    method: { enum: ['card', 'credit'] }, customer: { type: 'object', additionalProperties: false, properties: { email: { type: 'string' } } },
    schema_version: { const: '2.0.0' },
  },
};
const UPGRADE = `to: t@2
steps:
  - rename: { at: /comment, to: note }
  - default: { at: /method, value: card }
  - map: { at: /reason, values: { broken: damaged } }
  - move: { from: /email, to: /customer/email }
  - drop: /legacy
  - drop: /schema_version
`;
const RULES = {
  rules: [
    { id: 'large', outcome: 'review', when: { fact: 'proposal.amount', operator: 'greaterThan', value: 500 }, reason: 'large refund of {proposal.amount}' },
    { id: 'damaged', outcome: 'review', when: { fact: 'proposal.reason', operator: 'equal', value: 'damaged' }, reason: 'damaged: {proposal.note}' },
    { id: 'credit', outcome: 'reject', when: { fact: 'proposal.method', operator: 'equal', value: 'credit' } },
  ],
};

function files(action: Record<string, unknown> = {}, extra: Record<string, string> = {}): Map<string, string> {
  return new Map([
    ['rules.registry.yaml', dump({ version: 1, actions: { t: { contract: 't@2', accepts: ['t@1'], rules: ['rules/t.yaml'], side_effects: 'none', default: 'approve', ...action } } })],
    ['schemas/t/1.schema.json', JSON.stringify({ $schema: SCHEMA_2020, ...V1 })],
    ['schemas/t/2.schema.json', JSON.stringify({ $schema: SCHEMA_2020, ...V2 })],
    ['schemas/t/1.upgrade.yaml', UPGRADE],
    ['rules/t.yaml', dump(RULES)],
    ...Object.entries(extra),
  ]);
}

function compile(f: Map<string, string>): CompiledPolicy {
  const r = compilePolicy(f);
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.policy;
}

const policy = compile(files());
const NOW = '2026-11-21T10:00:00Z';
const v1 = { id: 'p-1', amount: 120, comment: 'arrived broken', reason: 'broken', email: 'a@b.example', legacy: true };
const v2 = { id: 'p-1', amount: 120, note: 'arrived broken', reason: 'damaged', method: 'card', customer: { email: 'a@b.example' } };
const run = (req: Partial<DecideRequest>, p = policy) => decide(p, { action: 't', proposal: v2, now: NOW, ...req });

describe('selecting the contract version', () => {
  it('reads a request that names no version as the current one', () => {
    expect(run({})).toMatchObject({ outcome: 'review', contract: 't@2', receivedContract: 't@2' });
    expect(run({}).trace).not.toHaveProperty('contract');
  });

  it('reads the version the request names, by reference or by version alone', () => {
    for (const named of [{ contract: 't@1' }, { version: 1 }, { version: '1' }]) {
      expect(run({ proposal: v1, ...named }), JSON.stringify(named)).toMatchObject({ outcome: 'review', contract: 't@2', receivedContract: 't@1', errors: [] });
    }
    expect(run({ contract: 't@2' })).toMatchObject({ receivedContract: 't@2', errors: [] });
  });

  it('refuses a version the action does not serve, naming those it serves', () => {
    for (const named of [{ contract: 't@3' }, { contract: 'u@1' }, { version: 3 }, { version: '1.0.0' }]) {
      expect(() => run(named), JSON.stringify(named)).toThrow(DecideError);
    }
    expect(() => run({ version: 3 })).toThrow('action `t` serves no contract version `3`; it serves `t@1`, `t@2` (current)');
    try { run({ contract: 't@3' }); } catch (e) { expect((e as DecideError).code).toBe('unknown_contract_version'); }
    expect(() => run({ contract: 't@1', version: 1 })).toThrow('name the contract version once: `contract` or `version`, not both');
  });

  it('reads the version from the proposal where the registry says, through its map of what the model writes', () => {
    const p = compile(files({ version_from: { pointer: '/schema_version', values: { '1.0.0': 't@1', '2.0.0': 't@2' } } }));
    expect(run({ proposal: { ...v1, schema_version: '1.0.0' } }, p)).toMatchObject({ outcome: 'review', receivedContract: 't@1', errors: [] });
    expect(run({ proposal: { ...v2, schema_version: '2.0.0' } }, p)).toMatchObject({ outcome: 'review', receivedContract: 't@2', errors: [] });
    expect(run({ proposal: v2 }, p)).toMatchObject({ receivedContract: 't@2', errors: [] });
    expect(() => run({ proposal: { ...v2, schema_version: '3.0.0' } }, p)).toThrow('serves no contract version "3.0.0" (at `/proposal/schema_version`); it serves `t@1`, `t@2` (current)');
    expect(() => run({ proposal: { ...v2, schema_version: { v: 1 } } }, p)).toThrow(DecideError);
    // The request's own choice comes first.
    expect(run({ proposal: { ...v1, schema_version: '1.0.0' }, contract: 't@2' }, p)).toMatchObject({ outcome: 'reject', receivedContract: 't@2' });
  });

  it('reads a version from the proposal as the version itself when no map is given, semantic versions included', () => {
    const f = new Map([...files({ contract: 't@2.0.0', accepts: ['t@1.0.0'], version_from: '/schema_version' })].map(([k, v]) => [
      k.replace('/1.schema', '/1.0.0.schema').replace('/2.schema', '/2.0.0.schema').replace('/1.upgrade', '/1.0.0.upgrade'), v.replace('to: t@2', 'to: t@2.0.0'),
    ]));
    const p = compile(f);
    expect(run({ proposal: { ...v1, schema_version: '1.0.0' } }, p)).toMatchObject({ outcome: 'review', contract: 't@2.0.0', receivedContract: 't@1.0.0', errors: [] });
    expect(run({ proposal: v1, version: '1.0.0' }, p)).toMatchObject({ receivedContract: 't@1.0.0', errors: [] });
    expect(() => run({ proposal: v1, version: 1 }, p)).toThrow('it serves `t@1.0.0`, `t@2.0.0` (current)');
  });
});

describe('an older proposal', () => {
  it('is upgraded step by step, and the rules see the current version', () => {
    const d = run({ proposal: v1, contract: 't@1' });
    expect(d.outcome).toBe('review');
    expect(d.reasons).toEqual([{ kind: 'rule', rule: 'damaged', outcome: 'review', message: 'damaged: arrived broken' }]);
    expect(d.trace!.contract).toEqual([
      { step: 'validate', contract: 't@1', result: 'valid' },
      { step: 'upgrade', from: 't@1', to: 't@2', result: 'applied', changes: [
        'moved `/comment` to `/note`', 'set `/method` to "card"', 'mapped `/reason` "broken" to "damaged"', 'moved `/email` to `/customer/email`', 'dropped `/legacy`',
      ] },
      { step: 'validate', contract: 't@2', result: 'valid' },
    ]);
    expect(run({ proposal: v1, contract: 't@1', explain: 'off' })).not.toHaveProperty('trace');
  });

  it('decides as the same proposal written to the current version does, by the compiled code and by the interpreter', () => {
    const pairs: [Record<string, unknown>, Record<string, unknown>][] = [
      [{}, {}], [{ amount: 900 }, { amount: 900 }], [{ reason: 'late' }, { reason: 'late' }], [{ comment: 'x', amount: 501 }, { note: 'x', amount: 501 }],
    ];
    for (const [old, current] of pairs) {
      const upgraded = run({ proposal: { ...v1, ...old }, contract: 't@1', explain: 'off' });
      expect({ ...upgraded, receivedContract: 't@2' }, JSON.stringify(old)).toEqual(run({ proposal: { ...v2, ...current }, explain: 'off' }));
      const req = { action: 't', proposal: { ...v1, ...old }, contract: 't@1', now: NOW };
      expect(decide(policy, req, { evaluator: 'interpreted' })).toEqual(decide(policy, req));
    }
  });

  it('leaves out what its steps name but the proposal does not hold, and never changes the request', () => {
    const bare = { id: 'p-2', amount: 10, comment: 'ok', reason: 'late' };
    const copy = structuredClone(bare);
    const d = run({ proposal: bare, contract: 't@1' });
    expect(d).toMatchObject({ outcome: 'approve', errors: [] });
    expect(d.trace!.contract![1]).toEqual({ step: 'upgrade', from: 't@1', to: 't@2', result: 'applied', changes: ['moved `/comment` to `/note`', 'set `/method` to "card"'] });
    expect(bare).toEqual(copy);
  });

  it('is checked against its own version first: a reject with the errors of the request as sent', () => {
    const d = run({ proposal: { ...v1, note: 'v2 member' }, contract: 't@1' });
    expect(d).toMatchObject({ outcome: 'reject', receivedContract: 't@1', reasons: [{ kind: 'contract', outcome: 'reject', message: 'the request does not satisfy its contracts (1 error)' }] });
    expect(d.errors).toEqual([{ code: 'contract.additional_properties', pointer: '/proposal/note', message: '`/proposal/note` is not allowed by the contract' }]);
    expect(d.trace!.contract).toEqual([{ step: 'validate', contract: 't@1', result: 'invalid' }]);
  });

  it('is checked against the current version after the upgrade: a reject whose codes and reason name that step', () => {
    const d = run({ proposal: { ...v1, amount: 5000 }, contract: 't@1' });
    expect(d.outcome).toBe('reject');
    expect(d.reasons).toEqual([{ kind: 'contract', outcome: 'reject', message: 'the proposal, upgraded from `t@1`, does not satisfy `t@2` (1 error)' }]);
    expect(d.errors).toEqual([{ code: 'contract.upgraded.maximum', pointer: '/proposal/amount', message: '`/proposal/amount` must be <= 1000 (after the upgrade from `t@1`)' }]);
    expect(d.trace!.contract!.map((s) => `${s.step}:${s.result}`)).toEqual(['validate:valid', 'upgrade:applied', 'validate:invalid']);
  });

  it('is rejected, naming the step, when a step cannot apply', () => {
    // t@1 may hold members it does not list; one of them is in the way of the rename.
    const open = compile(files({}, { 'schemas/t/1.schema.json': JSON.stringify({ $schema: SCHEMA_2020, ...V1, additionalProperties: true }) }));
    const d = run({ proposal: { ...v1, note: 'in the way' }, contract: 't@1' }, open);
    expect(d.outcome).toBe('reject');
    expect(d.reasons).toEqual([{ kind: 'contract', outcome: 'reject', message: 'the proposal could not be upgraded from `t@1` to `t@2` (1 error)' }]);
    expect(d.errors).toEqual([{ code: 'contract.upgrade_failed', pointer: '/proposal/note', message: 'step 1 of `schemas/t/1.upgrade.yaml` cannot apply: `/note` is already there' }]);
    expect(d.trace!.contract!.at(-1)).toMatchObject({ step: 'upgrade', result: 'failed' });
  });

  it('goes through every upgrade between its version and the current one', () => {
    const v3 = { ...V2, required: [...V2.required, 'channel'], properties: { ...V2.properties, channel: { enum: ['web', 'phone'] } } };
    const p = compile(files({ contract: 't@3', accepts: ['t@1', 't@2'] }, {
      'schemas/t/3.schema.json': JSON.stringify({ $schema: SCHEMA_2020, ...v3 }),
      'schemas/t/2.upgrade.yaml': 'to: t@3\nsteps:\n  - default: { at: /channel, value: web }\n',
    }));
    const d = run({ proposal: v1, contract: 't@1' }, p);
    expect(d).toMatchObject({ outcome: 'review', contract: 't@3', receivedContract: 't@1', errors: [] });
    expect(d.trace!.contract!.map((s) => (s.step === 'upgrade' ? `${s.from}→${s.to}` : s.contract))).toEqual(['t@1', 't@1→t@2', 't@2→t@3', 't@3']);
    expect(run({ proposal: v2, version: 2 }, p)).toMatchObject({ receivedContract: 't@2', errors: [] });
  });

  it('gets a member named `__proto__` as an own member, never as its prototype', () => {
    const f = files({}, { 'schemas/t/1.upgrade.yaml': UPGRADE.replace('drop: /legacy', 'move: { from: /legacy, to: /customer/__proto__ }') });
    const r = compilePolicy(f);
    // The target forbids the member, so the check says so; a proposal without it upgrades cleanly.
    expect(r.diagnostics.map((d) => d.code)).toContain('upgrade_unproven');
    if (!r.ok) throw new Error('does not compile');
    const d = run({ proposal: v1, contract: 't@1' }, r.policy);
    expect(d.errors).toEqual([{ code: 'contract.upgraded.additional_properties', pointer: '/proposal/customer/__proto__', message: '`/proposal/customer/__proto__` is not allowed by the contract (after the upgrade from `t@1`)' }]);
  });
});

describe('the revision', () => {
  it('covers every version served and the upgrades between them', () => {
    const base = policy.revision;
    expect(compile(files()).revision).toBe(base);
    expect(compile(files({}, { 'schemas/t/1.upgrade.yaml': UPGRADE.replace('value: card', 'value: credit') })).revision).not.toBe(base);
    expect(compile(files({}, { 'schemas/t/1.schema.json': JSON.stringify({ $schema: SCHEMA_2020, ...V1, properties: { ...V1.properties, amount: { type: 'number', minimum: 0 } } }) })).revision).not.toBe(base);
    expect(compile(files({}, { 'schemas/t/1.upgrade.yaml': `# a comment\n${UPGRADE}` })).revision).toBe(base);
  });
});
