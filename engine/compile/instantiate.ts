/**
 * The last step of compiling an action: its rules, derived facts and risk model are frozen and its
 * evaluator is made from the generated code. compilePolicy ends with it, and so does a policy
 * rebuilt from the form a reload's worker thread sent (transfer.ts), so both are built alike.
 */
import type { Entry } from '../eval/codegen.js';
import { evaluatorOf } from '../eval/evaluate.js';
import type { Exception, Rule, Signal } from './ir.js';
import type { CompiledAction } from './policy.js';

export type ActionParts = Omit<CompiledAction, 'evaluate'>;

export function instantiateAction(parts: ActionParts): CompiledAction {
  deepFreeze([parts.rules, parts.derived, parts.risk, parts.exceptions]);
  return Object.freeze({ ...parts, evaluate: evaluatorOf(parts.code, entriesOf(parts.rules, parts.risk.signals, parts.exceptions)) });
}

/** What the evaluator evaluates: every rule, then every signal, then every exception, by index. */
export function entriesOf(rules: readonly Rule[], signals: readonly Signal[], exceptions: readonly Exception[]): Entry[] {
  return [...rules, ...signals, ...exceptions].map((x) => ({ index: x.index, when: x.when }));
}

/** Freezes the compiled rules, derived facts and risk model all the way down (operators, patterns and tables excepted). */
function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v) || v instanceof RegExp || v instanceof Map || v instanceof Set) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}
