// The refund-gate workload of the shared peer benchmark (peerbench), reused unchanged so that
// Arbiter is measured on exactly the rule sets and proposals the peer engines were.
/**
 * Deterministic "refund gate" workload: rule sets (N = 10, 100, 1000) and a proposal stream.
 *
 * Design: every field that rules use as a *risk* signal has a normal range and a risky tail.
 * Every rule contains at least one risk condition, which only tail values satisfy, so a
 * proposal with no risky field is approved under every N. Review rules carry one risk
 * condition plus 1-3 generic conditions; reject rules carry 2-3 risk conditions (+0-1 generic).
 * Proposals carry 0-4 risky fields, which yields all three outcomes at every N.
 */
import { Rng } from './rng.js';
import type { Condition, FieldType, Proposal, Rule, Ruleset, Scalar } from './types.js';

export const RULE_SEED = 0x5eed_2026;
export const PROPOSAL_SEED = 0x0bad_cafe;
export const SIZES = [10, 100, 1000] as const;
export const PROPOSAL_COUNT = 10_000;

interface FieldSpec {
  path: string;
  type: FieldType;
  normal(r: Rng): Scalar;
  tail?(r: Rng): Scalar;
  /** a condition that only tail values satisfy */
  risk?(r: Rng): Condition;
  /** a moderately selective condition on normal values */
  generic?(r: Rng): Condition;
}

const COUNTRIES_OK = ['US', 'GB', 'DE', 'FR', 'CA', 'AU', 'NL', 'SE', 'JP', 'ES'] as const;
const COUNTRIES_RISKY = ['NG', 'RU', 'BR', 'IN', 'ID', 'VN', 'UA', 'PK'] as const;
const ORDER_OK = ['delivered', 'shipped'] as const;
const ORDER_RISKY = ['processing', 'cancelled', 'returned'] as const;
const PAY_OK = ['card', 'paypal', 'apple_pay'] as const;
const PAY_RISKY = ['gift_card', 'crypto', 'bank_transfer'] as const;
const REFUND_OK = ['original_payment', 'store_credit'] as const;
const REFUND_RISKY = ['bank_transfer', 'gift_card', 'crypto_wallet'] as const;
const REASON_OK = ['damaged', 'not_received', 'wrong_item', 'not_as_described', 'late_delivery'] as const;
const REASON_RISKY = ['changed_mind', 'duplicate_charge', 'other'] as const;
const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY'] as const;
const TIERS = ['basic', 'standard', 'premium'] as const;
const CHANNELS = ['web', 'app', 'chat', 'email', 'phone'] as const;
const MODELS = ['planner-v1', 'planner-v2', 'refund-bot-3', 'refund-bot-4'] as const;

const c = (field: string, op: Condition['op'], value: Condition['value']): Condition => ({ field, op, value });
const enumRisk = (path: string, tail: readonly string[]) => (r: Rng): Condition =>
  r.chance(0.4) ? c(path, 'eq', r.pick(tail)) : c(path, 'in', r.sample(tail, r.int(2, Math.min(3, tail.length))));
const enumGeneric = (path: string, vals: readonly string[], maxIn: number) => (r: Rng): Condition =>
  r.chance(0.35) ? c(path, 'eq', r.pick(vals)) : c(path, 'in', r.sample(vals, r.int(2, maxIn)));

export const FIELDS: FieldSpec[] = [
  { path: 'amount', type: 'decimal', normal: (r) => r.dec(5, 399, 2), tail: (r) => r.dec(400, 5000, 2),
    risk: (r) => c('amount', r.pick(['gt', 'gte'] as const), r.dec(400, 3000, 2)) },
  { path: 'currency', type: 'string', normal: (r) => r.pick(CURRENCIES), generic: enumGeneric('currency', CURRENCIES, 4) },
  { path: 'reason_code', type: 'string', normal: (r) => r.pick(REASON_OK), tail: (r) => r.pick(REASON_RISKY),
    risk: enumRisk('reason_code', REASON_RISKY) },
  { path: 'channel', type: 'string', normal: (r) => r.pick(CHANNELS), generic: enumGeneric('channel', CHANNELS, 3) },
  { path: 'refund_method', type: 'string', normal: (r) => r.pick(REFUND_OK), tail: (r) => r.pick(REFUND_RISKY),
    risk: enumRisk('refund_method', REFUND_RISKY) },
  { path: 'risk_score', type: 'decimal', normal: (r) => r.dec(0, 39.99, 2), tail: (r) => r.dec(40, 100, 2),
    risk: (r) => c('risk_score', r.pick(['gt', 'gte'] as const), r.dec(45, 95, 2)) },
  { path: 'customer.tier', type: 'string', normal: (r) => r.pick(TIERS), generic: enumGeneric('customer.tier', TIERS, 2) },
  { path: 'customer.account_age_days', type: 'int', normal: (r) => r.int(120, 4000), tail: (r) => r.int(0, 119),
    risk: (r) => c('customer.account_age_days', r.pick(['lt', 'lte'] as const), r.int(7, 119)) },
  { path: 'customer.country', type: 'string', normal: (r) => r.pick(COUNTRIES_OK), tail: (r) => r.pick(COUNTRIES_RISKY),
    risk: enumRisk('customer.country', COUNTRIES_RISKY) },
  { path: 'customer.chargebacks_90d', type: 'int', normal: () => 0, tail: (r) => r.int(1, 6),
    risk: (r) => r.chance(0.2) ? c('customer.chargebacks_90d', 'eq', r.int(1, 3))
      : c('customer.chargebacks_90d', r.pick(['gt', 'gte'] as const), r.int(1, 3)) },
  { path: 'customer.lifetime_orders', type: 'int', normal: (r) => r.int(5, 300), tail: (r) => r.int(0, 4),
    risk: (r) => r.chance(0.2) ? c('customer.lifetime_orders', 'eq', 0)
      : c('customer.lifetime_orders', r.pick(['lt', 'lte'] as const), r.int(1, 4)) },
  { path: 'customer.email_verified', type: 'bool', normal: () => true, tail: () => false,
    risk: () => c('customer.email_verified', 'eq', false) },
  { path: 'customer.prior_refunds_30d', type: 'int', normal: (r) => r.int(0, 1), tail: (r) => r.int(2, 9),
    risk: (r) => c('customer.prior_refunds_30d', r.pick(['gt', 'gte'] as const), r.int(2, 6)) },
  { path: 'order.status', type: 'string', normal: (r) => r.pick(ORDER_OK), tail: (r) => r.pick(ORDER_RISKY),
    risk: enumRisk('order.status', ORDER_RISKY) },
  { path: 'order.total', type: 'decimal', normal: () => 0 /* derived from amount */,
    generic: (r) => c('order.total', r.pick(['gt', 'gte', 'lt', 'lte'] as const), r.dec(20, 1500, 2)) },
  { path: 'order.days_since_delivery', type: 'int', normal: (r) => r.int(0, 30), tail: (r) => r.int(31, 400),
    risk: (r) => c('order.days_since_delivery', r.pick(['gt', 'gte'] as const), r.int(31, 180)) },
  { path: 'order.items_count', type: 'int', normal: (r) => r.int(1, 12),
    generic: (r) => r.chance(0.2) ? c('order.items_count', 'eq', r.int(1, 4))
      : c('order.items_count', r.pick(['gt', 'gte', 'lt', 'lte'] as const), r.int(2, 10)) },
  { path: 'order.payment_method', type: 'string', normal: (r) => r.pick(PAY_OK), tail: (r) => r.pick(PAY_RISKY),
    risk: enumRisk('order.payment_method', PAY_RISKY) },
  { path: 'agent.model', type: 'string', normal: (r) => r.pick(MODELS), generic: enumGeneric('agent.model', MODELS, 3) },
  { path: 'agent.confidence', type: 'decimal', normal: (r) => r.dec(0.85, 1, 4), tail: (r) => r.dec(0.2, 0.8499, 4),
    risk: (r) => c('agent.confidence', r.pick(['lt', 'lte'] as const), r.dec(0.3, 0.8, 4)) },
  { path: 'agent.tool_calls', type: 'int', normal: (r) => r.int(1, 8), tail: (r) => r.int(9, 30),
    risk: (r) => c('agent.tool_calls', r.pick(['gt', 'gte'] as const), r.int(9, 20)) },
];

const RISK_FIELDS = FIELDS.filter((f) => f.risk);
const GENERIC_FIELDS = FIELDS.filter((f) => f.generic);

export function fieldTypes(): Record<string, FieldType> {
  const out: Record<string, FieldType> = {};
  for (const f of FIELDS) out[f.path] = f.type;
  return out;
}

/** Generates the 1000-rule master list; the N-rule set is its first N rules (so sets are nested). */
function masterRules(): Rule[] {
  const r = new Rng(RULE_SEED);
  const rules: Rule[] = [];
  for (let i = 1; i <= 1000; i++) {
    const reject = r.chance(0.35);
    const nRisk = reject ? (r.chance(0.8) ? 2 : 3) : 1;
    const nGeneric = reject ? (nRisk === 2 ? r.int(0, 1) : 0) : r.int(1, 3);
    const fields = [...r.sample(RISK_FIELDS, nRisk), ...r.sample(GENERIC_FIELDS, nGeneric)];
    const when = fields.map((f) => (f.risk && fields.indexOf(f) < nRisk ? f.risk(r) : f.generic!(r)));
    rules.push({ id: 'R' + String(i).padStart(4, '0'), outcome: reject ? 'reject' : 'review', when });
  }
  return rules;
}

let MASTER: Rule[] | undefined;
export function makeRuleset(n: number): Ruleset {
  MASTER ??= masterRules();
  const rules = MASTER.slice(0, n);
  const name = `refund-gate-${n}`;
  const fields = fieldTypes();
  return { version: 1, name, fields, rules, yaml: toYaml(name, fields, rules) };
}

const WORDS = ('customer reports the parcel arrived damaged and requests a refund to the original payment method; ' +
  'tracking shows delivery confirmed; photos attached show a cracked casing; agent checked order history and ' +
  'return window; policy section four allows refunds for items damaged in transit; no prior disputes found; ' +
  'recommend full refund of the item price excluding shipping; customer was polite and provided order number')
  .split(' ');

function set(obj: Record<string, unknown>, path: string, v: unknown): void {
  const parts = path.split('.');
  let o = obj;
  for (let i = 0; i < parts.length - 1; i++) o = (o[parts[i]!] ??= {}) as Record<string, unknown>;
  o[parts[parts.length - 1]!] = v;
}

export function makeProposals(count = PROPOSAL_COUNT): Proposal[] {
  const r = new Rng(PROPOSAL_SEED);
  const out: Proposal[] = [];
  for (let i = 0; i < count; i++) {
    const k = r.weighted([[0, 0.38], [1, 0.27], [2, 0.18], [3, 0.11], [4, 0.06]] as const);
    const risky = new Set(r.sample(RISK_FIELDS, k).map((f) => f.path));
    const p: Record<string, unknown> = {
      proposal_id: 'P' + String(i + 1).padStart(6, '0'),
      action: 'refund',
      created_at: new Date(Date.UTC(2026, 0, 1) + i * 61_000).toISOString(),
    };
    for (const f of FIELDS) {
      if (f.path === 'order.total') continue;
      set(p, f.path, risky.has(f.path) ? f.tail!(r) : f.normal(r));
    }
    set(p, 'customer.id', 'C' + String(r.int(1, 999_999)).padStart(6, '0'));
    set(p, 'order.id', 'O' + String(r.int(1, 99_999_999)).padStart(8, '0'));
    set(p, 'order.total', Math.round((p.amount as number) * r.dec(1, 2.5, 2) * 100) / 100);
    const words: string[] = [];
    let len = 0;
    while (len < 420) { const w = r.pick(WORDS); words.push(w); len += w.length + 1; }
    p.rationale = words.join(' ');
    out.push(p);
  }
  return out;
}

function yamlScalar(v: Scalar): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

export function toYaml(name: string, fields: Record<string, FieldType>, rules: Rule[]): string {
  const lines = ['version: 1', `name: ${name}`, 'decision: {reject_if_any: reject, review_if_any: review, else: approve}', 'fields:'];
  for (const [k, t] of Object.entries(fields)) lines.push(`  ${k}: ${t}`);
  lines.push('rules:');
  for (const rule of rules) {
    lines.push(`  - id: ${rule.id}`, `    outcome: ${rule.outcome}`, '    when:');
    for (const cnd of rule.when) {
      const v = Array.isArray(cnd.value) ? '[' + cnd.value.map(yamlScalar).join(', ') + ']' : yamlScalar(cnd.value);
      lines.push(`      - {field: ${cnd.field}, op: ${cnd.op}, value: ${v}}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** read a dot path (used by the reference implementation and by adapters that need it) */
export function getPath(p: Proposal, path: string): unknown {
  let o: unknown = p;
  for (const k of path.split('.')) o = (o as Record<string, unknown>)?.[k];
  return o;
}
