// The refund-gate workload of the shared peer benchmark (peerbench), reused unchanged so that
// Arbiter is measured on exactly the rule sets and proposals the peer engines were.
/**
 * Shared types of the peer benchmark.
 *
 * An engine is added by writing ONE module under src/engines/ that exports
 * `adapter: EngineAdapter` and listing it in src/engines/registry.ts.
 */

export type Outcome = 'approve' | 'review' | 'reject';
export type RuleOutcome = 'review' | 'reject';
export type Op = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'in';
export type FieldType = 'int' | 'decimal' | 'string' | 'bool';
export type Scalar = string | number | boolean;

export interface Condition {
  /** dot path into the proposal, e.g. "customer.tier" */
  field: string;
  op: Op;
  /** scalar for gt/gte/lt/lte/eq, array of scalars for `in` */
  value: Scalar | Scalar[];
}

export interface Rule {
  /** zero-padded, so lexicographic order == rule order (R0001, R0002, ...) */
  id: string;
  outcome: RuleOutcome;
  /** conjunction; every condition is on a distinct field */
  when: Condition[];
}

export interface Ruleset {
  version: 1;
  name: string;
  /** type of every field a proposal carries that rules may read (decimal = number with a fractional part) */
  fields: Record<string, FieldType>;
  rules: Rule[];
  /** the same rule set as canonical YAML text (what our own gate will load) */
  yaml: string;
}

/** A refund proposal made by an AI agent (plain JSON object). */
export type Proposal = Record<string, unknown>;

export interface Decision {
  outcome: Outcome;
  /** ids of every rule whose conditions all hold; order unspecified (compared as a set) */
  fired: string[];
}

export interface SyncDecider {
  kind: 'sync';
  decide(p: Proposal): Decision;
  dispose?(): void;
}

export interface AsyncDecider {
  kind: 'async';
  decide(p: Proposal): Promise<Decision>;
  dispose?(): void;
}

export type Decider = SyncDecider | AsyncDecider;

export interface EngineAdapter {
  /** short id used on the command line and in the tables */
  name: string;
  /** npm package whose version is reported (undefined for hand-written code) */
  pkg?: string;
  /** one line: how rules are encoded for this engine */
  encoding: string;
  /** compile/load a rule set; everything a real gate would do once at (re)load time */
  compile(rs: Ruleset): Decider | Promise<Decider>;
}

/** The gate's combination rule, shared by all adapters. */
export function combine(fired: string[], outcomeById: Map<string, RuleOutcome>): Decision {
  let outcome: Outcome = 'approve';
  for (let i = 0; i < fired.length; i++) {
    const o = outcomeById.get(fired[i]!);
    if (o === 'reject') { outcome = 'reject'; break; }
    if (o === 'review') outcome = 'review';
  }
  return { outcome, fired };
}

export function outcomeMap(rs: Ruleset): Map<string, RuleOutcome> {
  return new Map(rs.rules.map((r) => [r.id, r.outcome]));
}
