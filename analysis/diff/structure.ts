/**
 * What changed between two compiled policies, as written: actions, contract versions, settings,
 * rules, derived facts, risk signals, tiers and routes. Rules and signals are matched by id; a
 * rule removed and another added with the same outcome, mode and condition is a rename.
 * Conditions are compared as the compiler resolved them (analysis/analyze/formula.ts `describe`),
 * so a change of formatting, of order, or of a named condition's name is no change.
 */
import type { CompiledAction, CompiledPolicy } from '../../engine/index.js';
import type { Rule } from '../../engine/internal.js';
import { describe } from '../analyze/formula.js';

export interface Change {
  /** `rule`, `signal`, `derived`, `contract`, `setting`, `tier`, `route`, `action` */
  what: string;
  kind: 'added' | 'removed' | 'changed' | 'renamed';
  action: string;
  /** the id, version or setting */
  name: string;
  /** for changed: what it was and is */
  from?: string;
  to?: string;
}

export function structuralChanges(base: CompiledPolicy, head: CompiledPolicy): Change[] {
  const out: Change[] = [];
  for (const name of base.actions.keys()) if (!head.actions.has(name)) out.push({ what: 'action', kind: 'removed', action: name, name });
  for (const name of head.actions.keys()) if (!base.actions.has(name)) out.push({ what: 'action', kind: 'added', action: name, name });
  for (const [name, a] of base.actions) {
    const b = head.actions.get(name);
    if (b) out.push(...actionChanges(a, b));
  }
  return out;
}

function actionChanges(a: CompiledAction, b: CompiledAction): Change[] {
  const out: Change[] = [];
  const action = a.name;
  const setting = (name: string, x: unknown, y: unknown) => {
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push({ what: 'setting', kind: 'changed', action, name, from: String(x), to: String(y) });
  };
  setting('contract', a.contract.ref, b.contract.ref);
  setting('context', a.context?.ref ?? 'none', b.context?.ref ?? 'none');
  setting('default', a.default, b.default);
  setting('on_unknown', a.onUnknown, b.onUnknown);
  setting('on_error', a.onError, b.onError);
  setting('side_effects', a.sideEffects, b.sideEffects);
  keyed(out, 'contract', action, new Map([...a.versions.keys()].map((k) => [k, schemaText(a, k)])), new Map([...b.versions.keys()].map((k) => [k, schemaText(b, k)])));
  keyed(out, 'derived', action, new Map(a.derived.map((d) => [d.name, d.expr.text])), new Map(b.derived.map((d) => [d.name, d.expr.text])));
  keyed(out, 'signal', action, new Map(a.risk.signals.map((s) => [s.id, `+${s.points} when ${describe(s.when)}`])), new Map(b.risk.signals.map((s) => [s.id, `+${s.points} when ${describe(s.when)}`])));
  keyed(out, 'tier', action, new Map(a.risk.tiers.map((t) => [t.name, `from ${t.min}`])), new Map(b.risk.tiers.map((t) => [t.name, `from ${t.min}`])));
  keyed(out, 'route', action, new Map([...a.risk.route].map(([t, o]) => [t, o])), new Map([...b.risk.route].map(([t, o]) => [t, o])));
  const rules = keyed([], 'rule', action, new Map(a.rules.map((r) => [r.id, ruleText(r)])), new Map(b.rules.map((r) => [r.id, ruleText(r)])));
  // A rule that left under one id and arrived under another, unchanged otherwise, was renamed.
  const paired = new Map<Change, Change>();
  for (const gone of rules.filter((c) => c.kind === 'removed')) {
    const twin = rules.find((c) => c.kind === 'added' && c.to === gone.from && ![...paired.values()].includes(c));
    if (twin) paired.set(gone, twin);
  }
  const taken = new Set(paired.values());
  for (const c of rules) {
    const twin = paired.get(c);
    if (twin) out.push({ what: 'rule', kind: 'renamed', action, name: `${c.name} → ${twin.name}`, to: c.from! });
    else if (!taken.has(c)) out.push(c);
  }
  return out;
}

/** Entries by key: those only in `b` added, only in `a` removed, in both with another text changed; `from`/`to` hold the texts. */
function keyed(out: Change[], what: string, action: string, a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): Change[] {
  for (const [k, x] of a) {
    const y = b.get(k);
    if (y === undefined) out.push({ what, kind: 'removed', action, name: k, from: x });
    else if (y !== x) out.push({ what, kind: 'changed', action, name: k, from: x, to: y });
  }
  for (const [k, y] of b) if (!a.has(k)) out.push({ what, kind: 'added', action, name: k, to: y });
  return out;
}

function ruleText(r: Rule): string {
  return `${r.outcome}${r.mode === 'shadow' ? ' (shadow)' : ''} when ${describe(r.when)}`;
}

/** A served version by its schema (and, for an older one, its upgrades): a version edited in place is a change. */
function schemaText(a: CompiledAction, ref: string): string {
  const v = a.versions.get(ref)!;
  return JSON.stringify([v.use.schema, v.upgrades]);
}
