/** The compiled policy: frozen, shareable across requests, identified by a content hash. */
import type { ActionAst, ReviewSettings, RuleOutcome, SideEffect } from '../ast/types.js';
import type { Slot } from '../contracts/types.js';
import type { Validator } from '../contracts/validate.js';
import type { GeneratedCode } from '../eval/codegen.js';
import type { Evaluate } from '../eval/evaluate.js';
import type { Derived, RiskModel, Rule } from './ir.js';

export interface ContractUse {
  /** `refund_order@2` */
  ref: string;
  id: string;
  version: number;
  /** the JSON Schema, as written */
  schema: Readonly<Record<string, unknown>>;
  slot: Slot;
  /** the file it was read from, relative to the policy root */
  file: string;
  validate: Validator;
}

export interface CompiledAction {
  readonly name: string;
  readonly description?: string;
  readonly contract: ContractUse;
  readonly context?: ContractUse;
  readonly sideEffects: SideEffect;
  readonly idempotencyKey?: string;
  readonly default: 'approve' | 'review';
  readonly onUnknown: RuleOutcome;
  readonly onError: RuleOutcome;
  readonly review?: ReviewSettings;
  readonly owners: readonly string[];
  readonly ruleFiles: readonly string[];
  /** enforce and shadow rules, in file order */
  readonly rules: readonly Rule[];
  readonly derived: readonly Derived[];
  readonly risk: RiskModel;
  /**
   * The generated evaluator: appends `index, status` for every rule (indexes from 0) and signal
   * (indexes from `rules.length`) whose condition is not false (see eval/evaluate.ts).
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
