/**
 * Arbiter's engine: compile a policy once, then decide proposals with it.
 *
 * @example
 * ```ts
 * import { compilePolicy, decide, formatDiagnostic } from 'arbiter-gate';
 * const result = compilePolicy(files);          // Map of relative path → file text
 * if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join('\n'));
 * const d = decide(result.policy, { action: 'refund_order', proposal, context, now: new Date() });
 * d.outcome;   // 'approve' | 'review' | 'reject'
 * d.reasons;   // [{ kind: 'rule', rule: 'refund.more_than_order_total', outcome: 'reject', message: '…' }]
 * ```
 */

/**
 * Compiles a policy repository held in memory (`rules.registry.yaml`, `schemas/…`, `rules/…`)
 * into a frozen policy, or returns every diagnostic (`file:line:col`, code, message, help).
 */
export { compilePolicy, REGISTRY_FILE, type CompileOptions, type CompileResult, type GrantedFile } from './compile/index.js';

/** Decides one proposal: contract check, rules, risk, combine; with reasons, risk and a trace. */
export { decide, type DecideOptions } from './decide/decide.js';

/** Renders a diagnostic as `file:line:col: code: message` with a `help:` line. */
export { formatDiagnostic, type Diagnostic } from './errors.js';

/** Draws a decision's trace as a tree with pass/fail marks and the values compared. */
export { renderDecision } from './trace/pretty.js';

/** Canonical JSON (sorted members, shortest numbers), the form that hashes and idempotency keys use. */
export { canonicalJson } from './values/canonical.js';

export { ENGINE_VERSION, LANGUAGE_VERSION } from './version.js';
export { DecideError, type Decision, type DecideRequest, type Reason, type Risk, type DecisionError, type Outcome } from './decide/types.js';
export type { CompiledPolicy, CompiledAction } from './compile/policy.js';
export type { ExplainLevel, Trace, TraceNode, RuleTrace, SignalTrace } from './trace/types.js';
