/** The compiled policy: frozen, shareable across requests, identified by a content hash. */
import type { ActionAst, ReviewSettings, RuleOutcome, SideEffect } from '../ast/types.js';
import type { Slot } from '../contracts/types.js';
import type { Upgrade } from '../contracts/upgrade.js';
import type { Validator } from '../contracts/validate.js';
import type { GeneratedCode } from '../eval/codegen.js';
import type { Evaluate } from '../eval/evaluate.js';
import type { Derived, Exception, RiskModel, Rule } from './ir.js';

export interface ContractUse {
  /** `refund_order@2` */
  ref: string;
  id: string;
  /** `2`, or `1.4.0` */
  version: string;
  /** the JSON Schema, as written */
  schema: Readonly<Record<string, unknown>>;
  slot: Slot;
  /** the file it was read from, relative to the policy root */
  file: string;
  validate: Validator;
}

/** A contract version an action serves, and the upgrades that bring its proposals to the current version. */
export interface ServedContract {
  readonly use: ContractUse;
  /** in order, oldest first; none for the current version */
  readonly upgrades: readonly Upgrade[];
}

/** Where a request's version is read from the proposal; `values` maps what the model writes to a served contract. */
export interface VersionFrom {
  readonly pointer: readonly string[];
  /** the pointer as written */
  readonly text: string;
  readonly values?: ReadonlyMap<string, string>;
}

/** How requests are identified for idempotency (registry `idempotency`). */
export interface Idempotency {
  /** a JSON Pointer into the proposal; without one, the `Idempotency-Key` header */
  readonly key?: string;
  /** as written; unwritten, global for a key read from the proposal and per action for the header */
  readonly scope?: 'global' | 'action';
  readonly match: 'proposal' | 'request';
}

/** Where final decisions are delivered (registry `deliver`); the secret is named, read from the environment by the gate. */
export interface Delivery {
  readonly url?: string;
  readonly urlEnv?: string;
  readonly secretEnv: string;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly fallback?: { readonly url?: string; readonly urlEnv?: string };
}

export interface CompiledAction {
  readonly name: string;
  readonly description?: string;
  /** the current contract version: the one rules read */
  readonly contract: ContractUse;
  /** every version served, by ref (`refund_order@1`), the current one included */
  readonly versions: ReadonlyMap<string, ServedContract>;
  readonly versionFrom?: VersionFrom;
  readonly context?: ContractUse;
  readonly sideEffects: SideEffect;
  readonly idempotency: Idempotency;
  readonly default: 'approve' | 'review';
  readonly onUnknown: RuleOutcome;
  readonly onError: RuleOutcome;
  readonly review?: ReviewSettings;
  readonly deliver?: Delivery;
  readonly owners: readonly string[];
  readonly ruleFiles: readonly string[];
  readonly exceptionFiles: readonly string[];
  /** enforce and shadow rules, in file order */
  readonly rules: readonly Rule[];
  readonly derived: readonly Derived[];
  readonly risk: RiskModel;
  /** time-boxed overrides of named rules, indexes after the signals' (compile/exceptions.ts) */
  readonly exceptions: readonly Exception[];
  /**
   * The generated evaluator: appends `index, status` for every rule (indexes from 0), signal
   * (indexes from `rules.length`) and exception (after the signals) whose condition is not false
   * (see eval/evaluate.ts).
   */
  readonly evaluate: Evaluate;
  /** what `evaluate` was made from: the generated JavaScript (`code.source`, for inspection) and its constants */
  readonly code: GeneratedCode;
  readonly ast: ActionAst;
}

export interface CompiledPolicy {
  /** `sha256:…` over the functional content: comments and formatting do not change it */
  readonly revision: string;
  readonly engineVersion: string;
  readonly actions: ReadonlyMap<string, CompiledAction>;
}
