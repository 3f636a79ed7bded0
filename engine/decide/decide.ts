/**
 * decide(): contract check → derived facts → rules and risk signals → combine → reasons → trace.
 *
 * Combining is fixed and total: any enforced `reject` → reject; else any `review` (a rule, a risk
 * route, the action's default) → review; else approve. A rule that is unknown (it read a missing
 * fact) counts as the action's `on_unknown` outcome and a rule that failed as its `on_error`
 * outcome, both `review` unless configured `reject`, so nothing that goes wrong approves. The
 * order of rules never changes the outcome.
 */
import type { Outcome } from '../ast/types.js';
import type { Rule, Template } from '../compile/ir.js';
import type { CompiledAction, CompiledPolicy } from '../compile/policy.js';
import { evalCond, evalValue, readRaw, type Env } from '../eval/interpret.js';
import { EvalError, F, T, U, type Status } from '../eval/runtime.js';
import { toText } from '../trace/display.js';
import type { ExplainLevel, RuleTrace, SignalTrace, TraceNode } from '../trace/types.js';
import { Rational } from '../values/rational.js';
import { dateOf, parseInstant } from '../values/time.js';
import { ENGINE_VERSION } from '../version.js';
import { BASE_TIER, scoreRisk } from './risk.js';
import { DecideError, SEVERITY, type Decision, type DecideRequest, type DecisionError, type Reason, type Risk } from './types.js';

export interface DecideOptions {
  /** `interpreted` runs the reference interpreter instead of the generated code (tests, benchmarks) */
  evaluator?: 'compiled' | 'interpreted';
}

const RESULT = ['not_fired', 'error', 'unknown', 'fired'] as const;

export function decide(policy: CompiledPolicy, req: DecideRequest, options: DecideOptions = {}): Decision {
  const action = policy.actions.get(req.action);
  if (!action) {
    throw new DecideError('unknown_action', `action \`${req.action}\` is not defined; the policy defines ${[...policy.actions.keys()].map((a) => `\`${a}\``).join(', ')}`);
  }
  const now = instantOf(req.now);
  const level: ExplainLevel = req.explain ?? 'summary';
  const base = {
    action: action.name, revision: policy.revision, contract: action.contract.ref,
    ...(action.context ? { context: action.context.ref } : {}),
    engine: ENGINE_VERSION, now: typeof req.now === 'string' ? req.now : req.now.toISOString(),
  };

  const contractErrors = checkContracts(action, req);
  if (contractErrors.length > 0) {
    const reasons: Reason[] = [{ kind: 'contract', outcome: 'reject', message: `the request does not satisfy its contracts (${contractErrors.length} error${contractErrors.length === 1 ? '' : 's'})` }];
    return {
      ...base, outcome: 'reject', reasons, risk: { score: 0, tier: BASE_TIER, signals: [] }, errors: contractErrors,
      shadow: { outcome: 'reject', reasons }, ...(level === 'off' ? {} : { trace: { level, rules: [], signals: [] } }),
    };
  }

  const env: Env = { p: req.proposal, c: req.context ?? {}, now, today: dateOf(now), d: [], items: [] };
  try {
    for (const d of action.derived) env.d[d.index] = evalValue(d.expr, env);
    const hits: number[] = [];
    const failure = options.evaluator === 'interpreted' ? interpretAll(action, env, hits) : action.evaluate(env, hits);
    return { ...base, ...combine(action, env, hits, failure, level) };
  } catch (e) {
    // A defect in the engine itself: report it and fail closed.
    const message = `evaluation failed: ${(e as Error).message}`;
    const reasons: Reason[] = [{ kind: 'error', outcome: action.onError, message }];
    return {
      ...base, outcome: action.onError, reasons, risk: { score: 0, tier: BASE_TIER, signals: [] },
      errors: [{ code: 'internal_error', message }], shadow: { outcome: action.onError, reasons },
      ...(level === 'off' ? {} : { trace: { level, rules: [], signals: [] } }),
    };
  }
}

let lastNow: { text: string; value: Rational } | undefined;

function instantOf(now: string | Date): Rational {
  if (now instanceof Date) {
    const ms = now.getTime();
    if (Number.isNaN(ms)) throw new DecideError('invalid_now', '`now` is an invalid Date');
    return Rational.of(BigInt(ms), 1000n);
  }
  if (lastNow?.text === now) return lastNow.value;
  const value = typeof now === 'string' ? parseInstant(now) : undefined;
  if (!value) throw new DecideError('invalid_now', `\`now\` must be an RFC 3339 date-time such as \`2026-11-21T10:00:00Z\`, not \`${String(now)}\``);
  lastNow = { text: now, value };
  return value;
}

function checkContracts(action: CompiledAction, req: DecideRequest): DecisionError[] {
  const errors = action.contract.validate(req.proposal, '/proposal');
  if (action.context) {
    const more = action.context.validate(req.context ?? {}, '/context');
    return more.length ? [...errors, ...more] : errors;
  }
  if (req.context !== undefined && !(typeof req.context === 'object' && req.context !== null && Object.keys(req.context).length === 0)) {
    return [...errors, { code: 'contract.unexpected_context', pointer: '/context', message: `action \`${action.name}\` has no context contract, so it takes no context` }];
  }
  return errors;
}

function interpretAll(action: CompiledAction, env: Env, hits: number[]): undefined {
  for (const r of action.rules) push(hits, r.index, evalCond(r.when, env));
  for (const s of action.risk.signals) push(hits, s.index, evalCond(s.when, env));
  return undefined;
}

function push(hits: number[], index: number, s: Status): void {
  if (s !== F) hits.push(index, s);
}

function combine(action: CompiledAction, env: Env, hits: number[], failure: string | undefined, level: ExplainLevel) {
  const R = action.rules.length;
  const explain = new Explainer(env, failure);
  const live: Reason[] = [];
  const shadow: Reason[] = [];
  const errors: DecisionError[] = [];
  const signals: Risk['signals'] = [];
  const ruleTraces: RuleTrace[] = [];
  const signalTraces: SignalTrace[] = [];
  const statuses = new Map<number, Status>();

  for (let i = 0; i < hits.length; i += 2) {
    const index = hits[i] as number, s = hits[i + 1] as Status;
    statuses.set(index, s);
    if (index >= R) {
      const sig = action.risk.signals[index - R]!;
      signals.push({ id: sig.id, points: sig.points, result: RESULT[s] as Risk['signals'][number]['result'] });
      if (level !== 'off') signalTraces.push({ signal: sig.id, points: sig.points, result: RESULT[s], when: explain.trace(sig.when, index) });
      continue;
    }
    const rule = action.rules[index]!;
    const reason = explain.reason(action, rule, s, errors);
    (rule.mode === 'enforce' ? live : shadow).push(reason);
    if (level !== 'off') ruleTraces.push({ rule: rule.id, outcome: rule.outcome, mode: rule.mode, result: RESULT[s], when: explain.trace(rule.when, index) });
  }

  const { risk, route } = scoreRisk(action.risk, signals);
  if (route) {
    live.push({ kind: 'risk', outcome: route, message: `risk score ${risk.score} is in tier \`${risk.tier}\`, which routes to ${route}` });
  }
  const outcome = strongest(action.default, live);
  if (action.default === 'review' && live.every((r) => SEVERITY[r.outcome] < SEVERITY.review)) {
    live.push({ kind: 'default', outcome: 'review', message: `no rule applies; action \`${action.name}\` goes to review by default` });
  }
  const shadowReasons = [...live, ...shadow];
  const decision = {
    outcome, reasons: bySeverity(live), risk, errors,
    shadow: { outcome: strongest(outcome, shadow), reasons: bySeverity(shadowReasons) },
  };
  if (level === 'off') return decision;
  if (level === 'full') {
    for (const r of action.rules) {
      if (!statuses.has(r.index)) ruleTraces.push({ rule: r.id, outcome: r.outcome, mode: r.mode, result: 'not_fired', when: explain.trace(r.when, r.index) });
    }
    for (const sig of action.risk.signals) {
      if (!statuses.has(sig.index)) signalTraces.push({ signal: sig.id, points: sig.points, result: 'not_fired', when: explain.trace(sig.when, sig.index) });
    }
    ruleTraces.sort((a, b) => indexOf(action, a.rule) - indexOf(action, b.rule));
    signalTraces.sort((a, b) => action.risk.signals.findIndex((s) => s.id === a.signal) - action.risk.signals.findIndex((s) => s.id === b.signal));
  }
  return { ...decision, trace: { level, rules: ruleTraces, signals: signalTraces } };
}

function indexOf(action: CompiledAction, id: string): number {
  return action.rules.findIndex((r) => r.id === id);
}

function strongest(start: Outcome, reasons: readonly Reason[]): Outcome {
  let out = start;
  for (const r of reasons) if (SEVERITY[r.outcome] > SEVERITY[out]) out = r.outcome;
  return out;
}

function bySeverity(reasons: Reason[]): Reason[] {
  return reasons.length < 2 ? reasons : [...reasons].sort((a, b) => SEVERITY[b.outcome] - SEVERITY[a.outcome]);
}

/** Renders reasons and traces, interpreting each rule at most once per decision. */
class Explainer {
  private readonly traces = new Map<number, TraceNode>();

  constructor(private readonly env: Env, private readonly failure: string | undefined) {}

  trace(when: Rule['when'], index: number): TraceNode {
    let node = this.traces.get(index);
    if (!node) {
      const out: TraceNode[] = [];
      evalCond(when, this.env, out);
      node = out[0]!;
      this.traces.set(index, node);
    }
    return node;
  }

  reason(action: CompiledAction, rule: Rule, s: Status, errors: DecisionError[]): Reason {
    const id = { rule: rule.id };
    if (s === T) return { kind: 'rule', outcome: rule.outcome, message: render(rule.reason, this.env), ...id };
    const leaves = collectLeaves(this.trace(rule.when, rule.index));
    if (s === U) {
      // An undecided rule counts as its own outcome or the action's `on_unknown`, whichever is more
      // severe: not knowing whether a reject rule applies must not turn a reject into a review.
      const outcome = SEVERITY[rule.outcome] > SEVERITY[action.onUnknown] ? rule.outcome : action.onUnknown;
      const missing = [...new Set(leaves.filter((l) => l.result === 'unknown').flatMap((l) => (l.value === null ? [l.fact] : l.expectedFact ? [l.expectedFact] : [])))];
      return {
        kind: 'unknown', outcome, ...id,
        message: `rule \`${rule.id}\` could not be decided: ${missing.length ? `${missing.map((m) => `\`${m}\``).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing` : 'a fact it reads is missing'}`,
      };
    }
    const failed = leaves.find((l) => l.result === 'error');
    const error = failed?.error ?? { code: 'internal_error', message: this.failure ?? 'the generated evaluator failed' };
    errors.push({ code: error.code, message: error.message, rule: rule.id });
    return { kind: 'error', outcome: action.onError, message: `rule \`${rule.id}\` failed: ${error.message}`, ...id };
  }
}

type Leaf = Extract<TraceNode, { kind: 'leaf' }>;

function collectLeaves(node: TraceNode, out: Leaf[] = []): Leaf[] {
  switch (node.kind) {
    case 'leaf': out.push(node); break;
    case 'condition': collectLeaves(node.item, out); break;
    case 'some': case 'every': case 'none': for (const e of node.elements) collectLeaves(e.where, out); break;
    default: for (const x of node.items) collectLeaves(x, out);
  }
  return out;
}

export function render(t: Template, env: Env): string {
  let s = '';
  for (const part of t) {
    if (typeof part === 'string') s += part;
    else if (part.k === 'read') s += toText(readRaw(part, env), { kind: 'any' });
    else {
      const v = evalValue(part, env);
      s += v instanceof EvalError ? `<${v.code}>` : toText(v, part.slot.type);
    }
  }
  return s;
}
