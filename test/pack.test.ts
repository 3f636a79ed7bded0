/** The bundled policy pack and the files that describe Arbiter's own formats. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORE_SCHEMA, load } from 'js-yaml';
import { exportedText } from '../cli/commands/contracts.js';
import { compileDir } from '../cli/io.js';
import { createAjv } from '../engine/contracts/validate.js';
import { COMPILE_CODES, RUNTIME_CODES } from '../engine/errors.js';
import { FUNCTION_NAMES } from '../engine/functions/names.js';
import { OPERATORS } from '../engine/operators/index.js';
import { ENGINE_VERSION } from '../engine/version.js';
import { contracts as zodContracts } from '../schemas/src/tier-upgrade.js';
import { ROOT } from './helpers/cli.js';

const meta = (name: string) => JSON.parse(readFileSync(join(ROOT, 'schemas/meta', `${name}.schema.json`), 'utf8')) as object;
const yamlOf = (path: string) => load(readFileSync(join(ROOT, path), 'utf8'), { schema: CORE_SCHEMA }) as unknown;
const ruleFiles = readdirSync(join(ROOT, 'rules')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml') && !f.endsWith('.invariants.yaml'));
const testFiles = readdirSync(join(ROOT, 'rules')).filter((f) => f.endsWith('.test.yaml'));
const invariantFiles = readdirSync(join(ROOT, 'rules')).filter((f) => f.endsWith('.invariants.yaml'));
const upgradeFiles = readdirSync(join(ROOT, 'schemas'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.upgrade.yaml'));

describe('the bundled pack', () => {
  it('compiles with no errors and no warnings', () => {
    const { result } = compileDir(ROOT);
    expect(result.diagnostics).toEqual([]);
    expect(result.ok && [...result.policy.actions.keys()]).toEqual(['tier_upgrade', 'refund_order', 'send_external_email', 'modify_user_permissions', 'create_support_ticket']);
  });

  it('has at least six rules and some risk signals per action', () => {
    const { result } = compileDir(ROOT);
    if (!result.ok) throw new Error('pack does not compile');
    for (const a of result.policy.actions.values()) {
      expect(a.rules.length, a.name).toBeGreaterThanOrEqual(6);
      expect(a.risk.signals.length, a.name).toBeGreaterThan(0);
    }
  });

  it('keeps the contracts exported from zod current', () => {
    for (const c of zodContracts) {
      expect(readFileSync(join(ROOT, 'schemas', c.id, `${c.version}.schema.json`), 'utf8'), `${c.id}@${c.version}`).toBe(exportedText(c));
    }
  });
});

describe('meta-schemas', () => {
  const ajv = createAjv();
  const registry = ajv.compile(meta('registry'));
  const rules = ajv.compile(meta('rules'));
  const tests = ajv.compile(meta('tests'));
  const invariants = ajv.compile(meta('invariants'));
  const upgrade = ajv.compile(meta('upgrade'));

  it('accept every file of the pack', () => {
    expect(registry(yamlOf('rules.registry.yaml')), JSON.stringify(registry.errors)).toBe(true);
    for (const f of ruleFiles) expect(rules(yamlOf(`rules/${f}`)), `${f}: ${JSON.stringify(rules.errors)}`).toBe(true);
    for (const f of testFiles) expect(tests(yamlOf(`rules/${f}`)), `${f}: ${JSON.stringify(tests.errors)}`).toBe(true);
    expect(invariantFiles).toHaveLength(5);
    for (const f of invariantFiles) expect(invariants(yamlOf(`rules/${f}`)), `${f}: ${JSON.stringify(invariants.errors)}`).toBe(true);
    expect(upgradeFiles).toEqual(['refund_order/1.upgrade.yaml']);
    for (const f of upgradeFiles) expect(upgrade(yamlOf(`schemas/${f}`)), `${f}: ${JSON.stringify(upgrade.errors)}`).toBe(true);
  });

  it('accept a literal or a typed literal in `fact`, as the compiler does', () => {
    for (const fact of [{ value: 'premium' }, { instant: '2026-01-31T09:00:00Z' }, { lowercase: 'proposal.tier' }]) {
      expect(rules({ rules: [{ id: 'a', outcome: 'review', when: { fact, operator: 'equal', value: { fact: 'proposal.tier' } } }] }), JSON.stringify(rules.errors)).toBe(true);
    }
  });

  it('reject what the compiler rejects: unknown keys, operators and functions', () => {
    expect(rules({ rules: [{ id: 'a', outcome: 'review', whn: {} }] })).toBe(false);
    expect(rules({ rules: [{ id: 'a', outcome: 'review', when: { fact: 'x', operator: 'greaterThen', value: 1 } }] })).toBe(false);
    expect(rules({ derive: { x: { multipy: [1, 2] } } })).toBe(false);
    expect(rules({ rules: [{ id: 'a', outcome: 'approve', when: { fact: 'x', operator: 'exists' } }] })).toBe(false);
    expect(registry({ version: 1, actions: { a: { contract: 'a@1', rules: [], side_effects: 'some', default: 'approve' } } })).toBe(false);
    expect(tests({ action: 'a', cases: [{ name: 'x', expect: { outcome: 'allow' } }] })).toBe(false);
    expect(invariants({ action: 'a', invariants: [{ id: 'x', always: 'reject', never: 'approve' }] })).toBe(false);
    expect(invariants({ action: 'a', invariants: [{ id: 'x', when: { fact: 'a', operator: 'greaterThen', value: 1 }, never: 'approve' }] })).toBe(false);
    expect(invariants({ action: 'a', invariants: [{ id: 'x', monotonic: { fact: 'a', stricter_as: 'up' } }] })).toBe(false);
    expect(upgrade({ to: 'a@2', steps: [{ rename: { at: '/a', to: 'b' }, drop: '/c' }] })).toBe(false);
    expect(upgrade({ to: 'a@2', steps: [{ remove: '/c' }] })).toBe(false);
    expect(registry({ version: 1, actions: { a: { contract: 'a@2', accepts: ['a@01'], rules: [], side_effects: 'none', default: 'approve' } } })).toBe(false);
    expect(registry({ version: 1, actions: { a: { contract: 'a@2', idempotency: { key: '/id', scope: 'everywhere' }, rules: [], side_effects: 'none', default: 'approve' } } })).toBe(false);
  });

  it('name exactly the operators and functions the compiler knows', () => {
    const defs = (meta('rules') as { $defs: Record<string, unknown> }).$defs;
    const operatorLists = (v: unknown): unknown[] => {
      if (typeof v !== 'object' || v === null) return [];
      const own = (v as { properties?: { operator?: { enum?: unknown } } }).properties?.operator?.enum;
      return [...(own ? [own] : []), ...Object.values(v).flatMap(operatorLists)];
    };
    expect(operatorLists(defs).length).toBeGreaterThan(0);
    for (const list of operatorLists(defs)) expect(list).toEqual([...OPERATORS.keys()]);
    expect((defs.call as { propertyNames: { enum: string[] } }).propertyNames.enum).toEqual(FUNCTION_NAMES);
  });

  it('are referenced from the pack files for editors', () => {
    expect(readFileSync(join(ROOT, 'rules.registry.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=schemas\/meta\/registry\.schema\.json$/m);
    for (const f of ruleFiles) expect(readFileSync(join(ROOT, 'rules', f), 'utf8'), f).toMatch(/^# yaml-language-server: \$schema=\.\.\/schemas\/meta\/rules\.schema\.json$/m);
    for (const f of testFiles) expect(readFileSync(join(ROOT, 'rules', f), 'utf8'), f).toMatch(/^# yaml-language-server: \$schema=\.\.\/schemas\/meta\/tests\.schema\.json$/m);
    for (const f of invariantFiles) expect(readFileSync(join(ROOT, 'rules', f), 'utf8'), f).toMatch(/^# yaml-language-server: \$schema=\.\.\/schemas\/meta\/invariants\.schema\.json$/m);
    for (const f of upgradeFiles) expect(readFileSync(join(ROOT, 'schemas', f), 'utf8'), f).toMatch(/^# yaml-language-server: \$schema=\.\.\/meta\/upgrade\.schema\.json$/m);
  });
});

describe('catalogues', () => {
  it('documents every diagnostic code in docs/errors.md, and no other', () => {
    const doc = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
    const documented = new Set([...doc.matchAll(/^\| `([a-z_.]+)` \|/gm)].map((m) => m[1]));
    const codes = new Set([...Object.keys(COMPILE_CODES), ...Object.keys(RUNTIME_CODES)]);
    expect([...codes].filter((c) => !documented.has(c))).toEqual([]);
    expect([...documented].filter((c) => !codes.has(c!) && !c!.startsWith('contract.'))).toEqual([]);
  });

  it('keeps the engine version equal to the package version', () => {
    expect(ENGINE_VERSION).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });
});
