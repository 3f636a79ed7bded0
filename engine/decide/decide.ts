/**
 * decide(): contract check (decide/contract.ts: the version sent, its upgrade to the current one)
 * → derived facts → rules and risk signals → combine → reasons → trace.
 *
 * Combining is fixed and total: any enforced `reject` → reject; else any `review` (a rule, a risk
 * route, the action's default) → review; else approve. A rule that is unknown (it read a missing
 * fact) counts as its own outcome or the action's `on_unknown`, whichever is more severe, so a
 * missing fact never moves a decision toward approve; a rule that failed counts as its own outcome
 * or the action's `on_error`, whichever is more severe, so a failure never does either; a rule
 * undecided for both reasons counts as the most severe of the three. Nothing that goes wrong
 * approves, and the order of rules never changes the outcome.
 */
import type { Outcome } from '../ast/types.js';
import type { Cond, Exception, Rule, Template } from '../compile/ir.js';
import type { CompiledAction, CompiledPolicy } from '../compile/policy.js';
import { evalCond, evalValue, readRaw, type Env } from '../eval/interpret.js';
import { E, EvalError, F, T, U, type Status } from '../eval/runtime.js';
import { toText } from '../trace/display.js';
import type { ContractStep, ExplainLevel, RuleTrace, SignalTrace, Trace, TraceNode } from '../trace/types.js';
import { Rational } from '../values/rational.js';
import { dateOf, parseInstant } from '../values/time.js';
import { ENGINE_VERSION } from '../version.js';
import { readRequest, servedContract } from './contract.js';
import { BASE_TIER, tierOf } from './risk.js';
import { DecideError, moreSevere, SEVERITY, type AppliedException, type Decision, type DecideRequest, type DecisionError, type Fired, type Reason, type Risk } from './types.js';

export interface DecideOptions {
  /** `interpreted` runs the reference interpreter instead of the generated code (tests, benchmarks) */
  evaluator?: 'compiled' | 'interpreted';
}

/** By status: F, E, U, EU (reported as the error it is), T. */
const RESULT = ['not_fired', 'error', 'unknown', 'error', 'fired'] as const;
const NO_RISK: Risk = Object.freeze({ score: 0, tier: BASE_TIER, signals: [] }) as Risk;
const NO_DERIVED: unknown[] = Object.freeze([]) as unknown as unknown[];
const NONE_FIRED: Fired = Object.freeze({ enforce: Object.freeze([]), shadow: Object.freeze([]) }) as unknown as Fired;

interface Clock { text: string; now: Rational; today: number }

export function decide(policy: CompiledPolicy, req: DecideRequest, options: DecideOptions = {}): Decision {
  const action = policy.actions.get(req.action);
  if (!action) {
    throw new DecideError('unknown_action', `action \`${req.action}\` is not defined; the policy defines ${[...policy.actions.keys()].map((a) => `\`${a}\``).join(', ')}`);
  }
  const clock = clockOf(req.now);
  const level: ExplainLevel = req.explain ?? 'summary';
  const served = servedContract(action, req);
  const sent: Sent = { ref: served.use.ref, ...(served.upgrades.length && level !== 'off' ? { steps: [] } : {}) };

  const read = readRequest(action, served, req, sent.steps);
  if (read.errors.length > 0) {
    const n = read.errors.length;
    const reasons: Reason[] = [{ kind: 'contract', outcome: 'reject', message: `${read.failure ?? 'the request does not satisfy its contracts'} (${n} error${n === 1 ? '' : 's'})` }];
    return decision(policy, action, clock, sent, 'reject', reasons, NONE_FIRED, NO_RISK, read.errors, { outcome: 'reject', reasons }, emptyTrace(level));
  }

  try {
    const env = envOf(action, { proposal: read.proposal, context: req.context }, clock);
    const hits: number[] = [];
    if (options.evaluator === 'interpreted') interpretAll(action, env, hits);
    else action.evaluate(env, hits);
    return combine(policy, action, clock, sent, env, hits, level);
  } catch (e) {
    // A defect in the engine itself: report it and fail closed.
    const message = `evaluation failed: ${(e as Error).message}`;
    const reasons: Reason[] = [{ kind: 'error', outcome: action.onError, message }];
    return decision(policy, action, clock, sent, action.onError, reasons, NONE_FIRED, NO_RISK, [{ code: 'internal_error', message }], { outcome: action.onError, reasons }, emptyTrace(level));
  }
}

/** The version the proposal was sent as, and the trace of reading it as the current one. */
interface Sent { ref: string; steps?: ContractStep[] }

/** The facts a request's conditions read: proposal, context, clock and derived facts. */
function envOf(action: CompiledAction, req: Pick<DecideRequest, 'proposal' | 'context'>, clock: Clock): Env {
  const env: Env = { p: req.proposal, c: req.context ?? {}, now: clock.now, today: clock.today, d: action.derived.length ? [] : NO_DERIVED };
  for (const d of action.derived) env.d[d.index] = evalValue(d.expr, env);
  return env;
}

/**
 * Evaluates conditions compiled for the action (see compile/extra.ts) on a request that
 * satisfies its contracts: each `T`, `F`, `U` (it read a missing fact) or `E` (it failed).
 */
export function conditionStatus(action: CompiledAction, whens: readonly Cond[], req: Pick<DecideRequest, 'proposal' | 'context' | 'now'>): Status[] {
  const env = requestEnv(action, req);
  return whens.map((w) => evalCond(w, env));
}

/** The facts that conditions and values of the action read, for a request that satisfies its contracts. */
export function requestEnv(action: CompiledAction, req: Pick<DecideRequest, 'proposal' | 'context' | 'now'>): Env {
  return envOf(action, req, clockOf(req.now));
}

/** One shape for every decision, built in one place. */
function decision(policy: CompiledPolicy, action: CompiledAction, clock: Clock, sent: Sent, outcome: Outcome, reasons: Reason[], fired: Fired, risk: Risk,
  errors: DecisionError[], shadow: Decision['shadow'], trace: Trace | undefined): Decision {
  const d: Decision = {
    action: action.name, outcome, reasons, fired, risk, errors, shadow,
    revision: policy.revision, contract: action.contract.ref, receivedContract: sent.ref, context: action.context?.ref ?? null, engine: ENGINE_VERSION, now: clock.text,
  };
  if (trace) d.trace = sent.steps ? { level: trace.level, contract: sent.steps, rules: trace.rules, signals: trace.signals } : trace;
  return d;
}

function emptyTrace(level: ExplainLevel): Trace | undefined {
  return level === 'off' ? undefined : { level, rules: [], signals: [] };
}

let lastClock: Clock | undefined;

/** `now` as an exact instant and its UTC date; the last one is kept, since callers repeat it. */
function clockOf(now: string | Date): Clock {
  if (now instanceof Date) {
    const ms = now.getTime();
    if (Number.isNaN(ms)) throw new DecideError('invalid_now', '`now` is an invalid Date');
    const value = Rational.of(BigInt(ms), 1000n);
    return { text: now.toISOString(), now: value, today: dateOf(value) };
  }
  if (lastClock?.text === now) return lastClock;
  const value = typeof now === 'string' ? parseInstant(now) : undefined;
  if (!value) throw new DecideError('invalid_now', `\`now\` must be an RFC 3339 date-time such as \`2026-11-21T10:00:00Z\`, not \`${String(now)}\``);
  lastClock = { text: now, now: value, today: dateOf(value) };
  return lastClock;
}

function interpretAll(action: CompiledAction, env: Env, hits: number[]): void {
  for (const r of action.rules) push(hits, r.index, evalCond(r.when, env));
  for (const s of action.risk.signals) push(hits, s.index, evalCond(s.when, env));
  for (const x of action.exceptions) push(hits, x.index, evalCond(x.when, env));
}

/**
 * The exceptions that apply: their condition held (unknown or failed is not held: fail closed) and
 * `now` is before their expiry. Each relaxed rule maps to the first such exception naming it.
 */
function applying(action: CompiledAction, hits: readonly number[], clock: Clock): Map<number, AppliedException> | undefined {
  const first = action.rules.length + action.risk.signals.length;
  let out: Map<number, AppliedException> | undefined;
  for (let i = 0; i < hits.length; i += 2) {
    if ((hits[i] as number) < first || hits[i + 1] !== T) continue;
    const x = action.exceptions[(hits[i] as number) - first]!;
    if (clock.now.cmp(x.expires) >= 0) continue;
    const applied: AppliedException = { id: x.id, relaxed: [], owner: x.owner, grantedBy: x.grantedBy, ticket: x.ticket, expires: x.expiresText, reason: x.reason };
    out ??= new Map();
    for (const r of x.relaxes) if (!out.has(r)) out.set(r, applied);
  }
  return out;
}

function push(hits: number[], index: number, s: Status): void {
  if (s !== F) hits.push(index, s);
}

function combine(policy: CompiledPolicy, action: CompiledAction, clock: Clock, sent: Sent, env: Env, hits: number[], level: ExplainLevel): Decision {
  const R = action.rules.length;
  const explain = new Explainer(env);
  const live: Reason[] = [];
  const shadow: Reason[] = [];
  const errors: DecisionError[] = [];
  const signals: Risk['signals'] = [];
  const firedRules: Fired = { enforce: [], shadow: [] };
  const trace: Trace | undefined = emptyTrace(level);
  const S = action.risk.signals.length;
  const relaxing = action.exceptions.length ? applying(action, hits, clock) : undefined;
  let score = 0;

  for (let i = 0; i < hits.length; i += 2) {
    const index = hits[i] as number, s = hits[i + 1] as Status;
    if (index >= R + S) {
      if (trace) traceException(trace, action.exceptions[index - R - S]!, s, clock, explain.trace(action.exceptions[index - R - S]!.when, index));
      continue;
    }
    if (index >= R) {
      const sig = action.risk.signals[index - R]!;
      score += sig.points;
      signals.push({ id: sig.id, points: sig.points, result: RESULT[s] as Risk['signals'][number]['result'] });
      if (trace) trace.signals.push({ signal: sig.id, points: sig.points, result: RESULT[s], when: explain.trace(sig.when, index) });
      continue;
    }
    const rule = action.rules[index]!;
    if (s === T) firedRules[rule.mode].push(rule.id);
    // Only a rule that fired is relaxed: one that was unknown or failed counts as it would without the exception.
    const relaxedBy = s === T ? relaxing?.get(index) : undefined;
    if (relaxedBy) relaxedBy.relaxed.push(rule.id);
    else (rule.mode === 'enforce' ? live : shadow).push(s === T ? fired(rule, env) : explain.undecided(action, rule, s, errors));
    if (trace) trace.rules.push({ rule: rule.id, outcome: rule.outcome, mode: rule.mode, result: RESULT[s], when: explain.trace(rule.when, index), ...(relaxedBy ? { relaxedBy: relaxedBy.id } : {}) });
  }

  const tier = tierOf(action.risk, score);
  const route = action.risk.route.get(tier);
  if (route) live.push({ kind: 'risk', outcome: route, message: `risk score ${score} is in tier \`${tier}\`, which routes to ${route}` });
  const outcome = strongest(action.default, live);
  if (action.default === 'review' && live.length === 0) {
    live.push({ kind: 'default', outcome: 'review', message: `no rule applies; action \`${action.name}\` goes to review by default` });
  }
  if (trace && level === 'full') addUnfired(action, hits, trace, explain);
  const risk: Risk = signals.length ? { score, tier, signals } : tier === BASE_TIER ? NO_RISK : { score, tier, signals };
  const shadowOutcome = strongest(outcome, shadow);
  const d = decision(policy, action, clock, sent, outcome, bySeverity(live), firedRules, risk, errors,
    { outcome: shadowOutcome, reasons: shadow.length ? bySeverity([...live, ...shadow]) : live }, trace);
  if (relaxing) d.exceptions = [...new Set(relaxing.values())];
  return d;
}

/** An exception whose condition was not false, in the trace: applied, expired, unknown or failed. */
function traceException(trace: Trace, x: Exception, s: Status, clock: Clock, when: TraceNode): void {
  const result = s !== T ? RESULT[s] as 'unknown' | 'error' : clock.now.cmp(x.expires) < 0 ? 'applied' : 'expired';
  (trace.exceptions ??= []).push({ exception: x.id, result, expires: x.expiresText, when });
}

function fired(rule: Rule, env: Env): Reason {
  return { kind: 'rule', rule: rule.id, outcome: rule.outcome, message: render(rule.reason, env) };
}

/** In a full trace, every rule and signal appears, in policy order, fired or not. */
function addUnfired(action: CompiledAction, hits: number[], trace: Trace, explain: Explainer): void {
  const seen = new Uint8Array(action.rules.length + action.risk.signals.length + action.exceptions.length);
  for (let i = 0; i < hits.length; i += 2) seen[hits[i]!] = 1;
  const rules: RuleTrace[] = [];
  let k = 0;
  for (const r of action.rules) {
    rules.push(seen[r.index] ? trace.rules[k++]! : { rule: r.id, outcome: r.outcome, mode: r.mode, result: 'not_fired', when: explain.trace(r.when, r.index) });
  }
  const signals: SignalTrace[] = [];
  k = 0;
  for (const sig of action.risk.signals) {
    signals.push(seen[sig.index] ? trace.signals[k++]! : { signal: sig.id, points: sig.points, result: 'not_fired', when: explain.trace(sig.when, sig.index) });
  }
  trace.rules = rules;
  trace.signals = signals;
}

function strongest(start: Outcome, reasons: readonly Reason[]): Outcome {
  let out = start;
  for (const r of reasons) if (SEVERITY[r.outcome] > SEVERITY[out]) out = r.outcome;
  return out;
}

/** Most severe first; a stable sort keeps policy order within a severity. */
function bySeverity(reasons: Reason[]): Reason[] {
  for (let i = 1; i < reasons.length; i++) {
    if (SEVERITY[reasons[i]!.outcome] > SEVERITY[reasons[i - 1]!.outcome]) return [...reasons].sort((a, b) => SEVERITY[b.outcome] - SEVERITY[a.outcome]);
  }
  return reasons;
}

/** Renders traces and the reasons of undecided rules, interpreting each rule at most once. */
class Explainer {
  private traces: Map<number, TraceNode> | undefined;

  constructor(private readonly env: Env) {}

  trace(when: Rule['when'], index: number): TraceNode {
    this.traces ??= new Map();
    let node = this.traces.get(index);
    if (!node) {
      const out: TraceNode[] = [];
      evalCond(when, this.env, out);
      node = out[0]!;
      this.traces.set(index, node);
    }
    return node;
  }

  undecided(action: CompiledAction, rule: Rule, s: Status, errors: DecisionError[]): Reason {
    const leaves = collectLeaves(this.trace(rule.when, rule.index));
    // Not knowing whether a reject rule applies, or failing to find out, must not turn a reject into
    // a review; a rule undecided for both reasons counts as the most severe of the two settings.
    let outcome = rule.outcome;
    if (s & U) outcome = moreSevere(outcome, action.onUnknown);
    if (s & E) outcome = moreSevere(outcome, action.onError);
    const missing = s & U ? missingFacts(leaves) : '';
    if (!(s & E)) return { kind: 'unknown', rule: rule.id, outcome, message: `rule \`${rule.id}\` could not be decided: ${missing}` };
    const failed = leaves.find((l) => l.result === 'error');
    const error = failed?.error ?? { code: 'invalid_value', message: 'a value it reads could not be computed' };
    errors.push({ code: error.code, message: error.message, rule: rule.id });
    return { kind: 'error', rule: rule.id, outcome, message: `rule \`${rule.id}\` failed: ${error.message}${missing ? `, and ${missing}` : ''}` };
  }
}

/** The facts that undecided leaves found missing, as a phrase: `proposal.a` is missing. */
function missingFacts(leaves: readonly Leaf[]): string {
  const missing = [...new Set(leaves.filter((l) => l.result === 'unknown' || l.result === 'error').flatMap((l) => {
    if (l.value === null) return [l.fact];
    return l.expectedFact && l.expected === null ? [l.expectedFact] : [];
  }))];
  return missing.length ? `${missing.map((m) => `\`${m}\``).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing` : 'a fact it reads is missing';
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
  if (t.length === 1 && typeof t[0] === 'string') return t[0];
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
