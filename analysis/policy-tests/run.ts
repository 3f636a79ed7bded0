/**
 * Runs test cases against a compiled policy and measures coverage: by rule (each rule and risk
 * signal seen both firing and not firing), by condition branch (each leaf condition seen both true
 * and false) and by outcome (each outcome the action can produce, seen at least once).
 */
import { decide, type CompiledAction, type CompiledPolicy, type Decision } from '../../engine/index.js';
import type { Cond } from '../../engine/internal.js';
import { didYouMean, type SourceLoc } from '../../engine/internal.js';
import type { TraceNode } from '../../engine/internal.js';
import type { TestCase, TestFile } from './cases.js';

export interface CaseResult { file: string; test: TestCase; decision?: Decision; failures: string[] }

export interface Tally { seenTrue: boolean; seenFalse: boolean; what: string; loc: SourceLoc }

export interface ActionCoverage {
  /** rules and risk signals by id: true = fired, false = did not fire */
  rules: Map<string, Tally>;
  /** leaf conditions by id */
  branches: Map<number, Tally>;
  outcomes: Set<string>;
  possible: Set<string>;
}

export function runCases(policy: CompiledPolicy, files: readonly TestFile[]): { results: CaseResult[]; coverage: Map<string, ActionCoverage> } {
  const coverage = new Map<string, ActionCoverage>();
  for (const a of policy.actions.values()) coverage.set(a.name, emptyCoverage(a));
  const results: CaseResult[] = [];
  for (const f of files) {
    const action = policy.actions.get(f.action);
    for (const test of f.cases) {
      if (!action) {
        results.push({ file: f.path, test, failures: [`action \`${f.action}\` is not in the registry`] });
        continue;
      }
      let decision: Decision;
      try {
        decision = decide(policy, {
          action: f.action, proposal: test.proposal, ...(test.context !== undefined ? { context: test.context } : {}),
          ...(test.contract !== undefined ? { contract: test.contract } : {}), now: test.now, explain: 'full',
        });
      } catch (e) {
        results.push({ file: f.path, test, failures: [(e as Error).message] });
        continue;
      }
      record(coverage.get(action.name)!, action, decision);
      results.push({ file: f.path, test, decision, failures: compare(action, test, decision) });
    }
  }
  return { results, coverage };
}

function emptyCoverage(a: CompiledAction): ActionCoverage {
  const rules = new Map<string, Tally>();
  const branches = new Map<number, Tally>();
  for (const r of a.rules) {
    rules.set(r.id, { seenTrue: false, seenFalse: false, what: `rule \`${r.id}\``, loc: r.loc });
    leaves(r.when, branches, r.loc);
  }
  for (const s of a.risk.signals) {
    rules.set(s.id, { seenTrue: false, seenFalse: false, what: `signal \`${s.id}\``, loc: s.loc });
    leaves(s.when, branches, s.loc);
  }
  const possible = new Set<string>([a.default]);
  for (const r of a.rules) if (r.mode === 'enforce') possible.add(r.outcome);
  for (const o of a.risk.route.values()) possible.add(o);
  return { rules, branches, outcomes: new Set(), possible };
}

function leaves(c: Cond, out: Map<number, Tally>, fallback: SourceLoc): void {
  switch (c.k) {
    case 'all': case 'any': for (const x of c.items) leaves(x, out, fallback); return;
    case 'not': case 'ref': return leaves(c.item, out, fallback);
    case 'quant': return leaves(c.where, out, fallback);
    case 'leaf':
      out.set(c.id, { seenTrue: false, seenFalse: false, what: `\`${c.left.text} ${c.op.name}${c.right ? ` ${c.right.text}` : ''}\``, loc: c.loc });
  }
}

function record(cov: ActionCoverage, action: CompiledAction, d: Decision): void {
  cov.outcomes.add(d.outcome);
  if (!d.trace) return;
  const byRule = new Map(d.trace.rules.map((t) => [t.rule, t]));
  for (const r of action.rules) {
    const t = byRule.get(r.id);
    if (!t) continue;
    tally(cov.rules.get(r.id)!, t.result === 'fired', t.result === 'not_fired');
    walk(r.when, t.when, cov.branches);
  }
  const bySignal = new Map(d.trace.signals.map((t) => [t.signal, t]));
  for (const s of action.risk.signals) {
    const t = bySignal.get(s.id);
    if (!t) continue;
    tally(cov.rules.get(s.id)!, t.result === 'fired', t.result === 'not_fired');
    walk(s.when, t.when, cov.branches);
  }
}

function tally(t: Tally, yes: boolean, no: boolean): void {
  if (yes) t.seenTrue = true;
  if (no) t.seenFalse = true;
}

/** The full trace has the shape of the condition, so the two are walked side by side. */
function walk(c: Cond, node: TraceNode, branches: Map<number, Tally>): void {
  switch (c.k) {
    case 'all': case 'any': case 'not': {
      const items = c.k === 'not' ? [c.item] : c.items;
      if ('items' in node) items.forEach((x, i) => node.items[i] && walk(x, node.items[i]!, branches));
      return;
    }
    case 'ref':
      if (node.kind === 'condition') walk(c.item, node.item, branches);
      return;
    case 'quant':
      if ('elements' in node) for (const e of node.elements) walk(c.where, e.where, branches);
      return;
    case 'leaf':
      if (node.kind === 'leaf') tally(branches.get(c.id)!, node.result === true, node.result === false);
  }
}

function compare(action: CompiledAction, test: TestCase, d: Decision): string[] {
  const failures: string[] = [];
  const e = test.expect;
  if (d.outcome !== e.outcome) failures.push(`outcome: expected ${e.outcome}, got ${d.outcome}`);
  if (e.fired) {
    const known = new Set([...action.rules.map((r) => r.id)]);
    for (const id of e.fired) {
      if (!known.has(id)) {
        const hint = didYouMean(id, known);
        failures.push(`expected rule \`${id}\` does not exist in action \`${action.name}\`${hint ? ` (did you mean \`${hint}\`?)` : ''}`);
      }
    }
    const got = [...d.fired.enforce, ...d.fired.shadow];
    const missing = e.fired.filter((id) => !got.includes(id));
    const extra = got.filter((id) => !e.fired!.includes(id));
    if (missing.length || extra.length) {
      failures.push(`fired: expected [${e.fired.join(', ')}], got [${got.join(', ')}]${missing.length ? `\n  - did not fire: ${missing.join(', ')}` : ''}${extra.length ? `\n  + also fired: ${extra.join(', ')}` : ''}`);
    }
  }
  if (e.reasons) {
    const got = d.reasons.map((r) => r.message);
    if (JSON.stringify(got) !== JSON.stringify(e.reasons)) {
      failures.push(`reasons:\n${e.reasons.map((r) => `  - ${r}`).join('\n')}\n${got.map((r) => `  + ${r}`).join('\n')}`);
    }
  }
  if (e.riskTier !== undefined && d.risk.tier !== e.riskTier) failures.push(`risk tier: expected ${e.riskTier}, got ${d.risk.tier} (score ${d.risk.score})`);
  if (e.errors) {
    const got = d.errors.map((x) => x.code).sort();
    if (JSON.stringify(got) !== JSON.stringify([...e.errors].sort())) failures.push(`errors: expected [${e.errors.join(', ')}], got [${got.join(', ')}]`);
  }
  return failures;
}

export interface Percent { covered: number; total: number; pct: number }

export function percent(covered: number, total: number): Percent {
  return { covered, total, pct: total === 0 ? 100 : (100 * covered) / total };
}

export function summarize(coverage: Map<string, ActionCoverage>): { rules: Percent; branches: Percent; outcomes: Percent } {
  let rc = 0, rt = 0, bc = 0, bt = 0, oc = 0, ot = 0;
  for (const c of coverage.values()) {
    for (const t of c.rules.values()) { rt++; if (t.seenTrue && t.seenFalse) rc++; }
    for (const t of c.branches.values()) { bt++; if (t.seenTrue && t.seenFalse) bc++; }
    for (const o of c.possible) { ot++; if (c.outcomes.has(o)) oc++; }
  }
  return { rules: percent(rc, rt), branches: percent(bc, bt), outcomes: percent(oc, ot) };
}
