/**
 * The parsed, untyped form of policy files: what the author wrote, with positions. The compiler
 * resolves names and types in a later stage; nothing here knows about contracts.
 */
import type { SourceLoc } from '../errors.js';

export type Loc = SourceLoc;

export const SIDE_EFFECTS = ['none', 'read', 'reversible_write', 'irreversible_write', 'external_message', 'financial'] as const;
export type SideEffect = (typeof SIDE_EFFECTS)[number];
export type Outcome = 'approve' | 'review' | 'reject';
export type RuleOutcome = 'review' | 'reject';
export type Mode = 'enforce' | 'shadow';

/** `refund_order@2` or `refund_order@1.4.0`: the version is an integer or a semantic version, kept as written. */
export interface ContractRef { id: string; version: string; loc: Loc }

/**
 * Where a request's contract version is read from the proposal: the member at `pointer`, whose
 * value is looked up in `values` (what the model writes → a contract), or, without `values`, is
 * the version itself (`2`, `"1.4.0"`).
 */
export interface VersionFromAst { pointer: string; values?: Map<string, ContractRef>; loc: Loc }

/**
 * How a request is identified for idempotency. `key` is a JSON Pointer into the proposal (else the
 * `Idempotency-Key` header); `scope` is written or left to its default (global for keys read from
 * the proposal, per action for the header); `match` says what must be equal for a replay.
 */
export interface IdempotencyAst { key?: { pointer: string; loc: Loc }; scope?: 'global' | 'action'; match: 'proposal' | 'request'; loc: Loc }

/** An older contract version's declared upgrade to the next: `schemas/<id>/<version>.upgrade.yaml`. */
export interface UpgradeAst { path: string; to: ContractRef; steps: UpgradeStepAst[] }

/** One step of an upgrade; pointers name object members of the document being upgraded. */
export type UpgradeStepAst =
  | { op: 'rename'; at: string; to: string; loc: Loc }
  | { op: 'move'; from: string; to: string; loc: Loc }
  | { op: 'default'; at: string; value: unknown; loc: Loc }
  | { op: 'map'; at: string; values: Map<string, unknown>; loc: Loc }
  | { op: 'drop'; at: string; loc: Loc };

/** Where a `review` decision waits, how long, and what its reviewers may use and must not do. */
export interface ReviewSettings {
  queue: string;
  expiresAfter?: string;
  /** `reject`: the sweeper rejects an item nobody decided in time; `review`: it stays pending, overdue */
  onExpiry: 'reject' | 'review';
  /** preset reasons for a reject, code → text, in the order written (keys `1`–`9` on the review page) */
  reasons: { code: string; text: string }[];
  /** whether the key that submitted a proposal may also decide it (default: no) */
  selfReview: boolean;
  /** JSON Pointer into the proposal naming the entity it acts on, for "earlier decisions" */
  entity?: { pointer: string; loc: Loc };
  /** effect preview: proposal pointer → the context pointer holding the current value */
  preview: { proposal: string; context: string; loc: Loc }[];
}

/**
 * Where a final decision is delivered (registry `deliver`): a URL written in the file or read from
 * an environment variable, and the name of the variable that holds the signing secret. The
 * secret itself is never in a policy file.
 */
export interface DeliverySettings {
  url?: string;
  urlEnv?: string;
  secretEnv: string;
  /** per attempt, as written (`10s`) */
  timeout: string;
  maxAttempts: number;
  /** told once an event is dead-lettered */
  fallback?: { url?: string; urlEnv?: string };
  loc: Loc;
}

export interface ActionAst {
  name: string;
  loc: Loc;
  description?: string;
  /** the current version: rules read it, and a request that names no version is read as it */
  contract: ContractRef;
  /** older versions also served, each upgraded to the current one */
  accepts: ContractRef[];
  versionFrom?: VersionFromAst;
  context?: ContractRef;
  ruleFiles: { path: string; loc: Loc }[];
  /** files of time-boxed exceptions to the action's rules (ast/exceptions.ts); absent when none, so the revision of a policy without them is as before */
  exceptionFiles?: { path: string; loc: Loc }[];
  sideEffects: SideEffect;
  idempotency: IdempotencyAst;
  default: 'approve' | 'review';
  onUnknown: RuleOutcome;
  onError: RuleOutcome;
  review?: ReviewSettings;
  deliver?: DeliverySettings;
  owners: string[];
}

export interface RegistryAst { path: string; actions: ActionAst[] }

/** A fact as written: `proposal.amount`, or json-rules-engine style `fact: customer` + `path: $.tier`. */
export interface FactRefAst { name: string; path?: string; loc: Loc }

export type ExprAst =
  | { kind: 'lit'; value: unknown; source?: string; loc: Loc }
  /** A bare string inside a function call: a fact, or a table, member or separator, as the parameter says. */
  | { kind: 'name'; text: string; loc: Loc }
  | { kind: 'fact'; ref: FactRefAst; loc: Loc }
  | { kind: 'typed'; as: 'duration' | 'date' | 'instant'; text: string; loc: Loc }
  | { kind: 'call'; fn: string; args: ExprAst[]; loc: Loc; fnLoc: Loc }
  /** Aggregate form: `{ sum: { over: proposal.items, of: price } }`, `{ count: { over: …, where: … } }`. */
  | { kind: 'agg'; fn: string; over: ExprAst; of?: string; where?: CondAst; as: string; loc: Loc; fnLoc: Loc };

export type CondAst =
  | { kind: 'all' | 'any'; items: CondAst[]; loc: Loc; label?: string }
  | { kind: 'not'; item: CondAst; loc: Loc; label?: string }
  | { kind: 'ref'; name: string; loc: Loc }
  /** `fact` is a fact name (json-rules-engine) or, as an extension, a function call such as `{ lowercase: item }` */
  | { kind: 'leaf'; fact: ExprAst; operator: string; operatorLoc: Loc; value?: ExprAst; loc: Loc; label?: string }
  | { kind: 'quant'; q: 'some' | 'every' | 'none'; over: ExprAst; as: string; where: CondAst; loc: Loc; label?: string };

export interface NamedCondition { name: string; when: CondAst; loc: Loc }
export interface TableAst { name: string; entries: Map<string, { value: unknown; loc: Loc }>; loc: Loc }
export interface DeriveAst { name: string; expr: ExprAst; loc: Loc }

export interface RuleAst {
  id: string;
  loc: Loc;
  outcome: RuleOutcome;
  mode: Mode;
  when: CondAst;
  reason?: { text: string; loc: Loc };
  description?: string;
}

export interface SignalAst { id: string; loc: Loc; when: CondAst; points: number; description?: string }

export interface RiskAst {
  signals: SignalAst[];
  tiers?: { name: string; min: number; loc: Loc }[];
  route?: { tier: string; outcome: RuleOutcome; loc: Loc }[];
  loc: Loc;
}

/** A time-boxed, owned override of named rules, where its condition holds (ast/exceptions.ts). */
export interface ExceptionAst {
  id: string;
  loc: Loc;
  relaxes: { id: string; loc: Loc }[];
  when: CondAst;
  /** an RFC 3339 instant, as written */
  expires: { text: string; loc: Loc };
  owner: string;
  grantedBy: string;
  ticket: string;
  reason: string;
}

export interface ExceptionFileAst { path: string; exceptions: ExceptionAst[] }

export interface RuleFileAst {
  path: string;
  conditions: NamedCondition[];
  tables: TableAst[];
  derive: DeriveAst[];
  rules: RuleAst[];
  /** entries written under `rules:`, including those that did not parse */
  written: number;
  risk?: RiskAst;
}
