/** Parses a rule file: named conditions, lookup tables, derived facts, rules and risk signals. */
import type { Diagnostics } from '../errors.js';
import { locOf, plain, readEnum, readMap, readNumber, readSeq, readString, scalar, type At } from '../source/yaml.js';
import { parseCondition, parseExpr } from './conditions.js';
import type { DeriveAst, NamedCondition, RiskAst, RuleAst, RuleFileAst, SignalAst, TableAst } from './types.js';

const TOP_KEYS = ['version', 'description', 'conditions', 'tables', 'derive', 'rules', 'risk'] as const;
const RULE_KEYS = ['id', 'outcome', 'mode', 'when', 'reason', 'description'] as const;
const SIGNAL_KEYS = ['id', 'when', 'points', 'description'] as const;
const RISK_KEYS = ['signals', 'tiers', 'route'] as const;
const ID = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseRuleFile(root: At, diags: Diagnostics): RuleFileAst | undefined {
  const top = readMap(root, 'a rule file', diags, TOP_KEYS);
  if (!top) return undefined;
  const version = top.get('version');
  if (version && scalar(version.value)?.value !== 1) diags.error('invalid_value', 'rule file `version` must be 1', locOf(version.value));
  const out: RuleFileAst = { path: root.file.path, conditions: [], tables: [], derive: [], rules: [], written: 0 };

  for (const [name, e] of named(top.get('conditions')?.value, '`conditions`', diags)) {
    const when = parseCondition(e.value, diags);
    if (when) out.conditions.push({ name, when, loc: locOf(e.keyAt) } satisfies NamedCondition);
  }
  for (const [name, e] of named(top.get('tables')?.value, '`tables`', diags)) {
    const entries = readMap(e.value, `table \`${name}\``, diags);
    if (!entries) continue;
    const table: TableAst = { name, entries: new Map(), loc: locOf(e.keyAt) };
    for (const [k, v] of entries) table.entries.set(k, { value: plain(v.value), loc: locOf(v.keyAt) });
    out.tables.push(table);
  }
  for (const [name, e] of named(top.get('derive')?.value, '`derive`', diags)) {
    const expr = parseExpr(e.value, 'arg', diags);
    if (expr) out.derive.push({ name, expr, loc: locOf(e.keyAt) } satisfies DeriveAst);
  }
  const rules = top.get('rules') && readSeq(top.get('rules')!.value, '`rules`', diags);
  out.written = rules?.length ?? 0;
  for (const r of rules ?? []) {
    const rule = parseRule(r, diags);
    if (rule) out.rules.push(rule);
  }
  const risk = top.get('risk') && parseRisk(top.get('risk')!.value, diags);
  if (risk) out.risk = risk;
  return out;
}

function named(a: At | undefined, what: string, diags: Diagnostics) {
  if (!a) return [];
  const m = readMap(a, what, diags);
  const out = [...(m ?? [])];
  for (const [name, e] of out) {
    if (!NAME.test(name)) diags.error('invalid_value', `name \`${name}\` in ${what} must be letters, digits and underscores`, locOf(e.keyAt));
  }
  return out.filter(([name]) => NAME.test(name));
}

function readId(a: At, diags: Diagnostics): string | undefined {
  const id = readString(a, '`id`', diags);
  if (id !== undefined && !ID.test(id)) {
    diags.error('invalid_value', `id \`${id}\` may hold letters, digits, \`_\`, \`.\` and \`-\` only`, locOf(a));
    return undefined;
  }
  return id;
}

function parseRule(a: At, diags: Diagnostics): RuleAst | undefined {
  const m = readMap(a, 'a rule', diags, RULE_KEYS, ['id', 'outcome', 'when']);
  if (!m) return undefined;
  const id = m.get('id') && readId(m.get('id')!.value, diags);
  const outcome = m.get('outcome') && readEnum(m.get('outcome')!.value, 'rule `outcome`', ['reject', 'review'] as const, diags);
  const mode = m.get('mode') ? readEnum(m.get('mode')!.value, 'rule `mode`', ['enforce', 'shadow'] as const, diags) : 'enforce';
  const when = m.get('when') && parseCondition(m.get('when')!.value, diags);
  const reasonAt = m.get('reason');
  const reason = reasonAt && readString(reasonAt.value, 'rule `reason`', diags);
  const description = m.get('description') && readString(m.get('description')!.value, 'rule `description`', diags);
  if (id === undefined || !outcome || !mode || !when) return undefined;
  return {
    id, loc: locOf(m.get('id')!.value), outcome, mode, when,
    ...(reason !== undefined ? { reason: { text: reason, loc: locOf(reasonAt!.value) } } : {}),
    ...(description !== undefined ? { description } : {}),
  };
}

function parseRisk(a: At, diags: Diagnostics): RiskAst | undefined {
  const m = readMap(a, '`risk`', diags, RISK_KEYS);
  if (!m) return undefined;
  const risk: RiskAst = { signals: [], loc: locOf(a) };
  for (const s of (m.get('signals') && readSeq(m.get('signals')!.value, '`signals`', diags)) ?? []) {
    const sm = readMap(s, 'a risk signal', diags, SIGNAL_KEYS, ['id', 'when', 'points']);
    if (!sm) continue;
    const id = sm.get('id') && readId(sm.get('id')!.value, diags);
    const when = sm.get('when') && parseCondition(sm.get('when')!.value, diags);
    const points = sm.get('points') && readNumber(sm.get('points')!.value, 'signal `points`', diags);
    const description = sm.get('description') && readString(sm.get('description')!.value, 'signal `description`', diags);
    if (id === undefined || !when || points === undefined) continue;
    risk.signals.push({ id, loc: locOf(sm.get('id')!.value), when, points, ...(description !== undefined ? { description } : {}) } satisfies SignalAst);
  }
  if (m.get('tiers')) {
    risk.tiers = [];
    for (const [name, e] of readMap(m.get('tiers')!.value, '`tiers`', diags) ?? []) {
      const min = readNumber(e.value, `tier \`${name}\` threshold`, diags);
      if (min !== undefined) risk.tiers.push({ name, min, loc: locOf(e.keyAt) });
    }
  }
  if (m.get('route')) {
    risk.route = [];
    for (const [tier, e] of readMap(m.get('route')!.value, '`route`', diags) ?? []) {
      const outcome = readEnum(e.value, `route for tier \`${tier}\``, ['review', 'reject'] as const, diags);
      if (outcome) risk.route.push({ tier, outcome, loc: locOf(e.keyAt) });
    }
  }
  return risk;
}
